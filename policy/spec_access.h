/* SPDX-License-Identifier: Apache-2.0 */
/* Reaching into the parts of an OCI spec that several rules share, with the
 * type checks Go's decoder would make. */
#ifndef HARDRUN_SPEC_ACCESS_H
#define HARDRUN_SPEC_ACCESS_H

#include "hardrun/json.h"
#include "rules.h"

/* linux.<field> as an array/object (NULL when absent); error on a wrong type. */
int hr_spec_linux_member (struct hr_json *spec, const char *field, enum hr_json_type type, struct hr_json **out,
                          hr_error_t *err);
/* linux.resources and its device cgroup rules (each NULL when absent). */
int hr_spec_device_rules (struct hr_json *spec, struct hr_json **resources, struct hr_json **rules, hr_error_t *err);

/* linux.<field>, created when missing. */
struct hr_json *hr_spec_linux_ensure (struct hr_json *spec, const char *field, enum hr_json_type type);

/* The mounts array (NULL when absent), each entry checked to be an object. */
int hr_spec_mounts (struct hr_json *spec, struct hr_json **out, hr_error_t *err);

/* A string member of an array entry, "" when absent; error on a wrong type. */
int hr_entry_string (const struct hr_json *entry, const char *field, const char *where, const char **out,
                     hr_error_t *err);

/* True when runc would treat the mount as a bind mount. */

/* The options array of a mount (NULL when absent); error if not strings. */
int hr_mount_options (const struct hr_json *mount, struct hr_json **out, hr_error_t *err);

/* The namespaces array (NULL when absent), entries checked. */
int hr_spec_namespaces (struct hr_json *spec, struct hr_json **out, hr_error_t *err);
struct hr_json *hr_namespace_find (const struct hr_json *namespaces, const char *type);

/* Joins the names into "a, b, c" (for messages). */
char *hr_join_names (const struct hr_strv *names);

#endif
