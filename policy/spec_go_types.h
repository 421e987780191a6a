/* The spec's integer fields against the Go types runc decodes them into. */
#ifndef HARDRUN_SPEC_GO_TYPES_H
#define HARDRUN_SPEC_GO_TYPES_H

#include "hardrun/error.h"
#include "hardrun/json.h"

/* Fails, naming the field, when runc's decoder would refuse a number in
 * the spec (process included). */
int hr_check_go_types_spec (const struct hr_json *spec, hr_error_t *err);
/* The same for an exec's process file; `where` prefixes field names. */
int hr_check_go_types_process (const struct hr_json *process, const char *where, hr_error_t *err);

#endif
