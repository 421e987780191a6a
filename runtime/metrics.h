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
/* One sample: name{names[0]="values[0]",...} value. */
void hr_prom_sample (FILE *out, const char *name, const char *const *names, const char *const *values, size_t n,
                     long long value);

#endif
