/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing the policy's device notation ("c 1:3", "c 136:* rwm") and
 * comparing it with the spec's device nodes and cgroup rules. */
#ifndef HARDRUN_DEVICE_RULES_H
#define HARDRUN_DEVICE_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "hardrun/json.h"

#define HR_DEVICE_ANY (-1)

struct hr_device_rule
{
  char type;     /* 'a', 'c', 'b' */
  int64_t major; /* HR_DEVICE_ANY for * */
  int64_t minor;
  char access[4]; /* subset of "rwm"; empty for device nodes */
};

int hr_device_rule_parse (const char *text, bool with_access, struct hr_device_rule *out);

/* The spec's cgroup rule or device node, read like runc reads it. */
int hr_device_rule_from_cgroup (const struct hr_json *entry, struct hr_device_rule *out, hr_error_t *err);
int hr_device_rule_from_node (const struct hr_json *entry, struct hr_device_rule *out, hr_error_t *err);

/* One of the allowed rules (array of policy strings) covers the request. */
bool hr_device_rule_allowed (const struct hr_device_rule *request, const struct hr_json *allowed, bool with_access);

/* "c 10:229 rwm" */
char *hr_device_rule_text (const struct hr_device_rule *rule);

/* The signature of --privileged: an allow rule for every device. */
bool hr_device_rule_allows_all (const struct hr_json *entry);

/* The spec cgroup entry for a policy rule. */
struct hr_json *hr_device_rule_to_cgroup (const struct hr_device_rule *rule);

#endif
