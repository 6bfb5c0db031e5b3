/*
 * capcat: a run capture from parts.  See capcat.h.
 *
 * Frames are read back with libpcap (pcap_open_offline) and written with
 * the same writer core/capture uses, so headers and records are the ones
 * a serial run writes.  The key log is deduplicated with the same hash as
 * core/capture.c (FNV-1a 64 of the line).  The sidecar is rebuilt with
 * jansson in capture.c's layout: { "pcap", "link_type", "frames",
 * "scenarios": [ { "id", "first_frame", "last_frame", "tcp_connections" } ],
 * "notes": [ { "frame", "scenario", "session", "t_ms", "text" } ] }, each
 * part's frame numbers shifted by the frames written before it (a
 * scenario without frames keeps first/last 0, as capture.c writes it).
 * Ownership: the capcat owns its files; nothing is logged.
 */
#include "sim/capcat.h"

#include <errno.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/pcap.h"

struct capcat {
	struct pcap_writer *pw;
	FILE *keylog;
	char *keylog_path;
	char *notes_path;
	char *pcap_name;
	json_t *scenarios;
	json_t *notes;
	uint64_t *keys;          /* hash set of key log lines (0 = empty slot) */
	size_t nkeys, capkeys;
	bool failed;
};

static uint64_t
fnv64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h ? h : 1;
}

static bool
keys_add(struct capcat *cc, uint64_t h)
{
	size_t i;

	if (2 * (cc->nkeys + 1) > cc->capkeys) {
		uint64_t *old = cc->keys;
		size_t oldcap = cc->capkeys;
		cc->capkeys = oldcap ? oldcap * 2 : 256;
		cc->keys = xcalloc(cc->capkeys, sizeof(*cc->keys));
		cc->nkeys = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i] != 0)
				(void)keys_add(cc, old[i]);
		free(old);
	}
	for (i = h & (cc->capkeys - 1); cc->keys[i] != 0; i = (i + 1) & (cc->capkeys - 1))
		if (cc->keys[i] == h)
			return false;
	cc->keys[i] = h;
	cc->nkeys++;
	return true;
}

int
capcat_open(struct capcat **out, const char *pcap, const char *keylog,
    const char *notes, char *err, size_t errlen)
{
	struct capcat *cc = xcalloc(1, sizeof(*cc));
	const char *slash = strrchr(pcap, '/');

	*out = NULL;
	if (pcap_writer_open(&cc->pw, pcap, err, errlen) < 0) {
		free(cc);
		return -1;
	}
	if (keylog != NULL && (cc->keylog = fopen(keylog, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", keylog, strerror(errno));
		if (pcap_writer_close(cc->pw, NULL, 0) < 0) {
			/* the keylog error is the one to report */
		}
		free(cc);
		return -1;
	}
	cc->keylog_path = keylog ? xstrdup(keylog) : NULL;
	cc->notes_path = notes ? xstrdup(notes) : NULL;
	cc->pcap_name = xstrdup(slash ? slash + 1 : pcap);
	cc->scenarios = json_array();
	cc->notes = json_array();
	*out = cc;
	return 0;
}

static int
add_frames(struct capcat *cc, const char *path, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p = pcap_open_offline(path, perr);
	int rc;

	if (p == NULL) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (h->caplen != h->len) {
			snprintf(err, errlen, "%s: a frame was cut at %u bytes", path,
			    h->caplen);
			pcap_close(p);
			return -1;
		}
		(void)pcap_writer_put(cc->pw, (uint64_t)h->ts.tv_sec * 1000000 +
		    (uint64_t)h->ts.tv_usec, data, h->len);
	}
	if (rc != PCAP_ERROR_BREAK) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}

static int
add_keylog(struct capcat *cc, const char *path, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	if (cc->keylog == NULL || path == NULL || (f = fopen(path, "r")) == NULL)
		return 0;   /* nothing to add */
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (keys_add(cc, fnv64(line)) && fprintf(cc->keylog, "%s\n", line) < 0)
			cc->failed = true;
	}
	free(line);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static void
shift(json_t *o, const char *key, uint64_t by, bool keep_zero)
{
	json_t *v = json_object_get(o, key);
	json_int_t x;

	if (!json_is_integer(v))
		return;
	x = json_integer_value(v);
	if (keep_zero && x == 0)
		return;
	json_object_set_new(o, key, json_integer(x + (json_int_t)by));
}

static int
add_notes(struct capcat *cc, const char *path, uint64_t base, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *root, *a, *o;
	size_t i;

	if (path == NULL)
		return 0;
	if ((root = json_load_file(path, 0, &je)) == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	a = json_object_get(root, "scenarios");
	json_array_foreach(a, i, o) {
		shift(o, "first_frame", base, true);
		shift(o, "last_frame", base, true);
		json_array_append(cc->scenarios, o);
	}
	a = json_object_get(root, "notes");
	json_array_foreach(a, i, o) {
		shift(o, "frame", base, false);
		json_array_append(cc->notes, o);
	}
	json_decref(root);
	return 0;
}

int
capcat_add(struct capcat *cc, const char *pcap, const char *keylog,
    const char *notes, char *err, size_t errlen)
{
	uint64_t base = pcap_writer_frames(cc->pw);

	if (add_frames(cc, pcap, err, errlen) < 0)
		return -1;
	if (add_keylog(cc, keylog, err, errlen) < 0)
		return -1;
	return add_notes(cc, notes, base, err, errlen);
}

static int
write_notes(struct capcat *cc, uint64_t frames)
{
	json_t *root = json_object();
	int rc;

	json_object_set_new(root, "pcap", json_string(cc->pcap_name));
	json_object_set_new(root, "link_type", json_string("EN10MB"));
	json_object_set_new(root, "frames", json_integer((json_int_t)frames));
	json_object_set(root, "scenarios", cc->scenarios);
	json_object_set(root, "notes", cc->notes);
	rc = json_dump_file(root, cc->notes_path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return rc;
}

int
capcat_close(struct capcat *cc, char *err, size_t errlen)
{
	uint64_t frames;
	char e[600];
	int rc = 0;

	if (cc == NULL)
		return 0;
	frames = pcap_writer_frames(cc->pw);
	if (pcap_writer_close(cc->pw, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s", e);
		rc = -1;
	}
	if (cc->keylog != NULL && (fclose(cc->keylog) != 0 || cc->failed) && rc == 0) {
		snprintf(err, errlen, "%s: write error", cc->keylog_path);
		rc = -1;
	}
	if (cc->notes_path != NULL && write_notes(cc, frames) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: cannot write the notes", cc->notes_path);
		rc = -1;
	}
	json_decref(cc->scenarios);
	json_decref(cc->notes);
	free(cc->keys);
	free(cc->keylog_path);
	free(cc->notes_path);
	free(cc->pcap_name);
	free(cc);
	return rc;
}
