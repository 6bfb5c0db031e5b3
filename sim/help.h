/*
 * help: the text of `mxsim --help` and `mxsim CMD --help`, one place for
 * every command so that usage messages and man/mxsim.1 stay in step.
 */
#ifndef MXSIM_HELP_H
#define MXSIM_HELP_H

#include <stdbool.h>
#include <stdio.h>

/* Print the help of cmd (NULL or "": the overview); false when cmd is not
 * a command (nothing printed). */
bool help_print(FILE *f, const char *cmd);

#endif
