/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun doctor: the host's posture for containers, checked.  Each check
 * has a stable id, a group, a severity, what it found, what is expected and
 * the exact fix; the checks live in doctor_*.c, one file per group, and
 * cmd_doctor.c runs them, prints them and compares them with a baseline. */
#ifndef HARDRUN_DOCTOR_H
#define HARDRUN_DOCTOR_H

#include <stdbool.h>

#include "cli.h"
#include "hardrun/error.h"
#include "hardrun/util.h"

enum hr_doctor_status
{
  HR_DOCTOR_PASS,
  HR_DOCTOR_FAIL,
  HR_DOCTOR_SKIP, /* not applicable here (an engine not installed, ...) */
};

enum hr_doctor_severity
{
  HR_SEVERITY_INFO,
  HR_SEVERITY_LOW,
  HR_SEVERITY_MEDIUM,
  HR_SEVERITY_HIGH,
  HR_SEVERITY_CRITICAL,
};

struct hr_doctor_finding
{
  const char *id;    /* "kernel.dmesg_restrict", stable across versions */
  const char *group; /* kernel, runtime, engines, containers */
  enum hr_doctor_severity severity;
  const char *title;
  const char *cis; /* the CIS Docker Benchmark item, or NULL */
  enum hr_doctor_status status;
  char *found;    /* the observed value (what --save records) */
  char *expected; /* in words */
  char *fix;      /* a command or a config line */
  /* --fix: a sysctl doctor may set (through /etc/sysctl.d), or NULL */
  const char *sysctl;
  char *sysctl_value;
  /* --fix: a repair of the finding's own (NULL: none), given what the
   * check found to repair; it re-judges each item and prints what it did */
  int (*repair) (const struct hr_doctor_finding *f, hr_error_t *err);
  struct hr_strv repair_items;
};

struct hr_doctor_report
{
  struct hr_doctor_finding *items;
  size_t len;
  size_t cap;
};

/* Adds a finding (fields to fill by the caller); the strings set later are
 * owned by the report. */
struct hr_doctor_finding *hr_doctor_add (struct hr_doctor_report *r, const char *id, const char *group,
                                         enum hr_doctor_severity severity, const char *title);
/* Sets status, found, expected and fix (printf-style fix) of f. */
void hr_doctor_set (struct hr_doctor_finding *f, enum hr_doctor_status status, const char *found, const char *expected,
                    const char *fix_fmt, ...) __attribute__ ((format (printf, 5, 6)));
void hr_doctor_report_clear (struct hr_doctor_report *r);
const char *hr_doctor_severity_name (enum hr_doctor_severity s);
int hr_doctor_severity_parse (const char *name, enum hr_doctor_severity *out);

/* The groups; `cli` gives the policy and the runtime's --root. */
void hr_doctor_kernel (struct hr_doctor_report *r);
void hr_doctor_runtime (struct hr_doctor_report *r, const struct hr_cli *cli);
void hr_doctor_engines (struct hr_doctor_report *r);
void hr_doctor_containers (struct hr_doctor_report *r, const struct hr_cli *cli);
/* hardrun's own state under /run/hardrun (doctor_state.c) */
void hr_doctor_state (struct hr_doctor_report *r);

/* The text of a small file with the trailing newline removed, or NULL. */
char *hr_doctor_read (const char *path);

#endif
