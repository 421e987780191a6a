/* SPDX-License-Identifier: Apache-2.0 */
/* The spec as runc's Go decoder reads it (spec_go_types.c). */
#ifndef HARDRUN_SPEC_GO_TYPES_H
#define HARDRUN_SPEC_GO_TYPES_H

#include "hardrun/error.h"
#include "hardrun/json.h"

/* Parses a spec keeping every member, then resolves duplicates, case
 * variants, merges and nulls exactly as encoding/json does into runtime-spec's
 * types: the tree returned is what runc will apply.  Fails where runc's
 * decode fails (a type mismatch, an integer that does not fit). */
struct hr_json *hr_spec_parse_go (const char *text, size_t len, hr_error_t *err);

/* The same over a tree (from hr_json_parse_all_members); out may be NULL to
 * only check that runc's decoder accepts it. */
int hr_go_decode_spec (const struct hr_json *doc, struct hr_json **out, hr_error_t *err);
int hr_go_decode_process (const struct hr_json *doc, struct hr_json **out, hr_error_t *err);

/* Fails, naming the field, when runc's decoder would refuse the spec
 * (process included). */
int hr_check_go_types_spec (const struct hr_json *spec, hr_error_t *err);
/* The same for an exec's process file; `where` prefixes field names. */
int hr_check_go_types_process (const struct hr_json *process, const char *where, hr_error_t *err);

#endif
