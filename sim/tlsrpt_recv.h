/*
 * tlsrpt_recv: the TLSRPT reports a sender sent to the world (RFC 8460
 * 5.4: POSTed to the receiver of an https: rua; 5.3: mailed to a mailto:
 * rua, read back by sim/world_mail.c, whose format and DKIM findings
 * come first, "report N (mailto:...): ..."), kept in the results and
 * compared with what mxsim saw (the policies verdict_tlsrpt_ctx built: what
 * a compliant sender reports).  Every difference is one finding, a
 * sentence about the sender: an invalid report (schema: fake-https's
 * sts_tlsrpt_report_parse, the rules of reports/tlsrpt.schema.json), a
 * policy missing or unexpected, other counts, another policy-string,
 * other result types.  Findings do not change the verdict; they are
 * shown in results.json, the text table and junit.xml.
 */
#ifndef MXSIM_TLSRPT_RECV_H
#define MXSIM_TLSRPT_RECV_H

#include "core/result.h"
#include "sim/scenario.h"
#include "sim/world.h"

/* Copy the reports the world's receiver holds into rs. */
void tlsrpt_recv_collect(const struct world *w, struct res_scenario *rs);
/* Compare rs's received reports with rs->policies; fills the findings. */
void tlsrpt_recv_compare(struct res_scenario *rs);
/* expect.reports of e (the last phase's): when given, rs fails unless
 * exactly that many reports came by mail and by HTTPS and none has a
 * finding.  After tlsrpt_recv_compare. */
void tlsrpt_recv_judge(const struct scn_expect *e, struct res_scenario *rs);
/* The findings of one report (json) against the expected policies
 * (tests); each pushed onto *out. */
void tlsrpt_recv_findings(const char *json, const struct res_policy *exp,
	size_t nexp, char ***out, size_t *n);

#endif
