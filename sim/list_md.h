/*
 * list_md: `mxsim list --markdown`, the conformance table of a scenario
 * library (docs/scenarios.md is its output for scenarios/): one section
 * per folder, one row per scenario with its id, title, references and
 * what each phase expects.  Deterministic: the same files give the same
 * bytes.
 */
#ifndef MXSIM_LIST_MD_H
#define MXSIM_LIST_MD_H

#include <stddef.h>
#include <stdio.h>

#include "sim/scenario.h"

/* The document's head: title, how it was made, the scenario count. */
void list_md_head(FILE *f, size_t nscenarios);
/* One row; starts a new section when the id's folder changes (prev_id is
 * the previous row's id, NULL for the first). */
void list_md_row(FILE *f, const struct scenario *s, const char *prev_id);
/* A row for a file that does not load. */
void list_md_error(FILE *f, const char *id, const char *err, const char *prev_id);

#endif
