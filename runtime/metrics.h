/* SPDX-License-Identifier: Apache-2.0 */
/* the Prometheus text exposition format, for node_exporter's textfile collector */
#ifndef HARDRUN_METRICS_H
#define HARDRUN_METRICS_H

#include <stdio.h>

/* metrics.c: a label value in double quotes' escaping (backslash, double
 * quote and newline escaped); caller frees. */
char *hr_prom_escape_label (const char *value);
/* The HELP and TYPE lines of a metric family (HELP text escaped). */
void hr_prom_family (FILE *out, const char *name, const char *type, const char *help);
/* A series: name{names[0]="values[0]",...}; caller frees. */
char *hr_prom_series (const char *name, const char *const *names, const char *const *values, size_t n);
/* One sample: the series and its value. */
void hr_prom_sample (FILE *out, const char *name, const char *const *names, const char *const *values, size_t n,
                     long long value);

/* The families hardrun writes, with their TYPE and HELP. */
struct hr_prom_family_info
{
  const char *name, *type, *help;
};
extern const struct hr_prom_family_info hr_prom_decisions, hr_prom_containers, hr_prom_execs, hr_prom_unreadable;
/* The family of a series ("name{..." or "name"), when it is one of
 * hardrun's that counts decisions (the first three above), else NULL. */
const struct hr_prom_family_info *hr_prom_counter_of (const char *series);

/* metrics_textfile.c: adds one decision (the record's verdict and each of
 * its rules' outcomes, under profile) to the counts in the textfile at
 * path, replaced atomically, under a lock of hardrun's own.  Never fails
 * the caller: what goes wrong is a warning. */
struct hr_result;
void hr_metrics_textfile_count (const char *path, const char *command, const char *profile,
                                const struct hr_result *result);

#endif
