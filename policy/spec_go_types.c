/* runc decodes config.json (and an exec's process file) with Go's
 * encoding/json into runtime-spec's structs.  A number that does not fit
 * its Go field (a uid of 1e400, a gid of 1.5, a negative rlimit) makes the
 * decode fail: runc refuses the container, but only after hardrun has
 * rewritten the bundle and prepared the host.  Checking every integer
 * field of runtime-spec 1.0.2 (what runc 1.1 vendors) against its Go type
 * first turns that into a clean refusal with the bundle untouched.
 *
 * Go's rule for an integer field: the number's text must parse with
 * strconv.ParseInt/ParseUint in base 10 (no fraction, no exponent, no sign
 * for unsigned kinds) and fit the kind's width.  null leaves a field at its
 * zero value and is accepted, as Go accepts it. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_go_types.h"

enum go_int_kind
{
  GO_INT,    /* int, int64 */
  GO_UINT16, /* uint16 */
  GO_UINT32, /* uint32, os.FileMode */
  GO_UINT64, /* uint, uint64 */
};

struct go_int_field
{
  /* Dotted path from the process object ("process." fields) or from the
   * spec; "[]" walks every element of an array, "*" every value of a map. */
  const char *path;
  enum go_int_kind kind;
};

/* Fields of specs.Process, relative to the process object. */
static const struct go_int_field process_fields[] = {
  { "oomScoreAdj", GO_INT },
  { "consoleSize.height", GO_UINT64 },
  { "consoleSize.width", GO_UINT64 },
  { "user.uid", GO_UINT32 },
  { "user.gid", GO_UINT32 },
  { "user.umask", GO_UINT32 },
  { "user.additionalGids.[]", GO_UINT32 },
  { "rlimits.[].hard", GO_UINT64 },
  { "rlimits.[].soft", GO_UINT64 },
  { NULL, 0 },
};

#define DEVICE_NUMBERS(prefix)                                                                                         \
  { prefix ".[].major", GO_INT },                                                                                      \
  {                                                                                                                    \
    prefix ".[].minor", GO_INT                                                                                         \
  }
#define ID_MAPPINGS(prefix)                                                                                            \
  { prefix ".[].containerID", GO_UINT32 }, { prefix ".[].hostID", GO_UINT32 },                                         \
  {                                                                                                                    \
    prefix ".[].size", GO_UINT32                                                                                       \
  }
#define HOOK_TIMEOUT(kind)                                                                                             \
  {                                                                                                                    \
    "hooks." kind ".[].timeout", GO_INT                                                                                \
  }
#define THROTTLE(name)                                                                                                 \
  DEVICE_NUMBERS ("linux.resources.blockIO." name),                                                                    \
  {                                                                                                                    \
    "linux.resources.blockIO." name ".[].rate", GO_UINT64                                                              \
  }

/* Fields of specs.Spec outside the process. */
static const struct go_int_field spec_fields[] = {
  HOOK_TIMEOUT ("prestart"),
  HOOK_TIMEOUT ("createRuntime"),
  HOOK_TIMEOUT ("createContainer"),
  HOOK_TIMEOUT ("startContainer"),
  HOOK_TIMEOUT ("poststart"),
  HOOK_TIMEOUT ("poststop"),
  ID_MAPPINGS ("linux.uidMappings"),
  ID_MAPPINGS ("linux.gidMappings"),
  DEVICE_NUMBERS ("linux.devices"),
  { "linux.devices.[].fileMode", GO_UINT32 },
  { "linux.devices.[].uid", GO_UINT32 },
  { "linux.devices.[].gid", GO_UINT32 },
  DEVICE_NUMBERS ("linux.resources.devices"),
  { "linux.resources.memory.limit", GO_INT },
  { "linux.resources.memory.reservation", GO_INT },
  { "linux.resources.memory.swap", GO_INT },
  { "linux.resources.memory.kernel", GO_INT },
  { "linux.resources.memory.kernelTCP", GO_INT },
  { "linux.resources.memory.swappiness", GO_UINT64 },
  { "linux.resources.cpu.shares", GO_UINT64 },
  { "linux.resources.cpu.quota", GO_INT },
  { "linux.resources.cpu.period", GO_UINT64 },
  { "linux.resources.cpu.realtimeRuntime", GO_INT },
  { "linux.resources.cpu.realtimePeriod", GO_UINT64 },
  { "linux.resources.pids.limit", GO_INT },
  { "linux.resources.blockIO.weight", GO_UINT16 },
  { "linux.resources.blockIO.leafWeight", GO_UINT16 },
  DEVICE_NUMBERS ("linux.resources.blockIO.weightDevice"),
  { "linux.resources.blockIO.weightDevice.[].weight", GO_UINT16 },
  { "linux.resources.blockIO.weightDevice.[].leafWeight", GO_UINT16 },
  THROTTLE ("throttleReadBpsDevice"),
  THROTTLE ("throttleWriteBpsDevice"),
  THROTTLE ("throttleReadIOPSDevice"),
  THROTTLE ("throttleWriteIOPSDevice"),
  { "linux.resources.hugepageLimits.[].limit", GO_UINT64 },
  { "linux.resources.network.classID", GO_UINT32 },
  { "linux.resources.network.priorities.[].priority", GO_UINT32 },
  { "linux.resources.rdma.*.hcaHandles", GO_UINT32 },
  { "linux.resources.rdma.*.hcaObjects", GO_UINT32 },
  { "linux.seccomp.defaultErrnoRet", GO_UINT64 },
  { "linux.seccomp.syscalls.[].errnoRet", GO_UINT64 },
  { "linux.seccomp.syscalls.[].args.[].index", GO_UINT64 },
  { "linux.seccomp.syscalls.[].args.[].value", GO_UINT64 },
  { "linux.seccomp.syscalls.[].args.[].valueTwo", GO_UINT64 },
  { NULL, 0 },
};

static const char *
kind_name (enum go_int_kind kind)
{
  switch (kind)
    {
    case GO_INT:
      return "int64";
    case GO_UINT16:
      return "uint16";
    case GO_UINT32:
      return "uint32";
    case GO_UINT64:
      return "uint64";
    }
  return "integer";
}

static bool
number_fits (const struct hr_json *num, enum go_int_kind kind)
{
  int64_t i;
  uint64_t u;

  if (kind == GO_INT)
    return hr_json_number_to_int64 (num, &i) == 0;
  if (hr_json_number_to_uint64 (num, &u) < 0)
    return false;
  if (kind == GO_UINT16)
    return u <= UINT16_MAX;
  if (kind == GO_UINT32)
    return u <= UINT32_MAX;
  return true;
}

/* The value at the end of the path must be a number that fits. */
static int
check_leaf (const struct hr_json *value, enum go_int_kind kind, const char *where, hr_error_t *err)
{
  if (value->type != HR_JSON_NUMBER)
    return hr_error_set (err, 0, "%s: a JSON %s where runc's Go decoder needs a %s", where,
                         hr_json_type_name (value->type), kind_name (kind));
  if (!number_fits (value, kind))
    return hr_error_set (err, 0, "%s: %s is not a valid %s (runc's Go decoder would refuse the spec)", where,
                         value->text, kind_name (kind));
  return 0;
}

/* Walks the remaining path segments (dot-separated) below node. */
static int
check_path (const struct hr_json *node, const char *rest, enum go_int_kind kind, const char *where, hr_error_t *err)
{
  const char *dot;
  cleanup_free char *segment = NULL;
  cleanup_free char *here = NULL;

  if (node == NULL || node->type == HR_JSON_NULL)
    return 0;
  if (*rest == '\0')
    return check_leaf (node, kind, where, err);
  dot = strchr (rest, '.');
  segment = dot ? xstrndup (rest, (size_t)(dot - rest)) : xstrdup (rest);
  rest = dot ? dot + 1 : "";
  if (strcmp (segment, "[]") == 0)
    {
      if (node->type != HR_JSON_ARRAY)
        return hr_error_set (err, 0, "%s: a JSON %s where runc's Go decoder needs an array", where,
                             hr_json_type_name (node->type));
      for (size_t i = 0; i < node->len; i++)
        {
          cleanup_free char *item = NULL;
          xasprintf (&item, "%s[%zu]", where, i);
          if (check_path (node->items[i], rest, kind, item, err) < 0)
            return -1;
        }
      return 0;
    }
  if (node->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "%s: a JSON %s where runc's Go decoder needs an object", where,
                         hr_json_type_name (node->type));
  if (strcmp (segment, "*") == 0)
    {
      for (size_t i = 0; i < node->len; i++)
        {
          cleanup_free char *member = NULL;
          xasprintf (&member, "%s.%s", where, node->members[i].key);
          if (check_path (node->members[i].value, rest, kind, member, err) < 0)
            return -1;
        }
      return 0;
    }
  xasprintf (&here, "%s%s%s", where, *where ? "." : "", segment);
  return check_path (hr_json_get (node, segment), rest, kind, here, err);
}

static int
check_fields (const struct hr_json *root, const struct go_int_field *fields, const char *where, hr_error_t *err)
{
  for (const struct go_int_field *f = fields; f->path; f++)
    if (check_path (root, f->path, f->kind, where, err) < 0)
      return -1;
  return 0;
}

int
hr_check_go_types_process (const struct hr_json *process, const char *where, hr_error_t *err)
{
  return check_fields (process, process_fields, where, err);
}

int
hr_check_go_types_spec (const struct hr_json *spec, hr_error_t *err)
{
  if (hr_check_go_types_process (hr_json_get (spec, "process"), "process", err) < 0)
    return -1;
  return check_fields (spec, spec_fields, "", err);
}
