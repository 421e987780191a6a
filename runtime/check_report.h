/* SPDX-License-Identifier: Apache-2.0 */
/* `check --format sarif|junit`: the decisions for CI tools. */
#ifndef HARDRUN_CHECK_REPORT_H
#define HARDRUN_CHECK_REPORT_H

#include <stdio.h>

#include "hardrun/enforce.h"

/* The decision's outcome as check names it ("undecided" for an offline
 * refusal no pattern could decide). */
const char *hr_check_outcome (const struct hr_decision *d);

/* rule_id, severity, path (the rule's spec field) and fix of a decision. */
void hr_check_decision_meta (struct hr_json *decision, const char *rule);

/* SARIF 2.1.0: one run, every rule in tool.driver.rules, one result per
 * change or denial located at the rule's field of spec_uri. */
struct hr_json *hr_check_sarif (const struct hr_result *result, const char *spec_uri);

/* JUnit XML: one testcase per rule, failed when it denied. */
void hr_check_junit (const struct hr_result *result, const char *spec, FILE *out);

#endif
