/*
 * merge: `mxsim merge [--out DIR] [-q] DIR...`, one output folder from
 * the output folders of sharded runs (`mxsim run --shard K/N`).
 *
 * Each DIR's results.bin (sim/res_io.h) says which slots of the whole run
 * it holds; the scenarios are put back in slot order and every slot of
 * the whole run must be there exactly once (a missing or doubled shard is
 * an error, exit 2).  The merged folder gets the files `mxsim run` writes
 * (sim/outputs.h), mxsim.log and, when every DIR has one, the capture
 * concatenated in slot order (sim/capcat.h).  The text summary goes to
 * stdout (not with -q).  Exit codes as `mxsim run`: 0, 1, 2.
 */
#ifndef MXSIM_MERGE_H
#define MXSIM_MERGE_H

/* argv[0] is "merge". */
int merge_main(int argc, char **argv);

#endif
