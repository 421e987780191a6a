/* SPDX-License-Identifier: Apache-2.0 */
/* Compiles an OCI seccomp profile with libseccomp the way runc 1.1 does, so
 * that whatever runc would reject is caught (and named) by hardrun first. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "seccomp_profile.h"

bool
hr_seccomp_action_allows (const char *action)
{
  return strcmp (action, "SCMP_ACT_ALLOW") == 0 || strcmp (action, "SCMP_ACT_LOG") == 0
         || strcmp (action, "SCMP_ACT_TRACE") == 0 || strcmp (action, "SCMP_ACT_NOTIFY") == 0;
}

static int
read_errno_ret (const struct hr_json *obj, const char *field, uint32_t *out, hr_error_t *err)
{
  *out = EPERM;
  return hr_json_read_uint32 (obj, field, "seccomp", out, err);
}

static int
parse_action (const char *name, uint32_t errno_ret, uint32_t *out, hr_error_t *err)
{
  if (strcmp (name, "SCMP_ACT_KILL") == 0 || strcmp (name, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (name, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp (name, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO (errno_ret);
  else if (strcmp (name, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE (errno_ret);
  else if (strcmp (name, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp (name, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else if (strcmp (name, "SCMP_ACT_NOTIFY") == 0)
    *out = SCMP_ACT_NOTIFY;
  else
    return hr_error_set (err, 0, "unknown seccomp action \"%s\"", name);
  return 0;
}

int
hr_seccomp_read_action (const struct hr_json *obj, const char *field, const char *errno_field, uint32_t *out,
                        hr_error_t *err)
{
  const char *name = "";
  uint32_t errno_ret;

  if (hr_json_read_string (obj, field, "seccomp", &name, err) < 0
      || read_errno_ret (obj, errno_field, &errno_ret, err) < 0)
    return -1;
  return parse_action (name, errno_ret, out, err);
}

static int
add_architectures (scmp_filter_ctx ctx, const struct hr_json *arches, hr_error_t *err)
{
  for (size_t i = 0; arches && i < arches->len; i++)
    {
      char name[32];
      const char *oci = hr_json_is_string (arches->items[i]) ? arches->items[i]->text : "";
      uint32_t token;
      int ret;

      if (!hr_has_prefix (oci, "SCMP_ARCH_") || strlen (oci) - 10 >= sizeof name)
        return hr_error_set (err, 0, "unknown seccomp architecture \"%s\"", oci);
      for (size_t k = 0; oci[10 + k]; k++)
        name[k] = (char)tolower ((unsigned char)oci[10 + k]), name[k + 1] = '\0';
      token = seccomp_arch_resolve_name (name);
      if (token == 0)
        return hr_error_set (err, 0, "unknown seccomp architecture \"%s\"", oci);
      ret = seccomp_arch_add (ctx, token);
      if (ret < 0 && ret != -EEXIST)
        return hr_error_set (err, -ret, "cannot add seccomp architecture \"%s\"", oci);
    }
  return 0;
}

static int
parse_op (const char *op, enum scmp_compare *out)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE },
    { "SCMP_CMP_LT", SCMP_CMP_LT },
    { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ },
    { "SCMP_CMP_GE", SCMP_CMP_GE },
    { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };
  for (size_t i = 0; i < HR_ARRAY_SIZE (ops); i++)
    if (strcmp (op, ops[i].name) == 0)
      {
        *out = ops[i].op;
        return 0;
      }
  return -1;
}

static int
read_u64 (const struct hr_json *obj, const char *field, uint64_t *out, hr_error_t *err)
{
  const struct hr_json *v = hr_json_get_value (obj, field);

  *out = 0;
  if (v == NULL)
    return 0;
  if (hr_json_number_to_uint64 (v, out) < 0)
    return hr_error_set (err, 0, "seccomp argument %s: expected an unsigned 64-bit integer", field);
  return 0;
}

int
hr_seccomp_read_conditions (const struct hr_json *args, struct scmp_arg_cmp *conds, size_t *n, bool *repeated_index,
                            hr_error_t *err)
{
  unsigned counts[MAX_SYSCALL_ARGS] = { 0 };

  *n = 0;
  *repeated_index = false;
  if (args == NULL)
    return 0;
  if (args->type != HR_JSON_ARRAY || args->len > MAX_SYSCALL_ARGS * 4)
    return hr_error_set (err, 0, "seccomp args: expected an array of at most %d conditions", MAX_SYSCALL_ARGS * 4);
  for (size_t i = 0; i < args->len; i++)
    {
      const struct hr_json *a = args->items[i];
      uint32_t index = 0;
      const char *op = "";
      struct scmp_arg_cmp *c = &conds[(*n)++];

      if (a->type != HR_JSON_OBJECT)
        return hr_error_set (err, 0, "seccomp args: expected objects");
      if (hr_json_read_uint32 (a, "index", "seccomp args", &index, err) < 0
          || hr_json_read_string (a, "op", "seccomp args", &op, err) < 0 || read_u64 (a, "value", &c->datum_a, err) < 0
          || read_u64 (a, "valueTwo", &c->datum_b, err) < 0)
        return -1;
      if (index >= MAX_SYSCALL_ARGS)
        return hr_error_set (err, 0, "seccomp args: index %u out of range", index);
      if (parse_op (op, &c->op) < 0)
        return hr_error_set (err, 0, "seccomp args: unknown operator \"%s\"", op);
      c->arg = index;
      if (++counts[index] > 1)
        *repeated_index = true;
    }
  return 0;
}

/* runc adds one rule with every condition, unless an argument index repeats:
 * then each condition becomes a rule of its own. */
static int
add_rule_for_syscall (scmp_filter_ctx ctx, int nr, uint32_t action, const struct scmp_arg_cmp *conds, size_t n,
                      bool repeated_index, const char *name, hr_error_t *err)
{
  int ret = 0;

  if (n == 0 || !repeated_index)
    ret = seccomp_rule_add_array (ctx, action, nr, (unsigned)n, conds);
  else
    for (size_t i = 0; i < n && ret == 0; i++)
      ret = seccomp_rule_add_array (ctx, action, nr, 1, &conds[i]);
  if (ret < 0)
    return hr_error_set (err, -ret, "cannot add seccomp rule for \"%s\"", name);
  return 0;
}

static int
add_syscall_rule (scmp_filter_ctx ctx, const struct hr_json *rule, uint32_t default_action, hr_error_t *err)
{
  const struct hr_json *names = hr_json_get_value (rule, "names");
  struct scmp_arg_cmp conds[MAX_SYSCALL_ARGS * 4];
  bool repeated_index;
  uint32_t action;
  size_t n;

  if (rule->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "seccomp syscalls: expected objects");
  if (hr_seccomp_read_action (rule, "action", "errnoRet", &action, err) < 0
      || hr_seccomp_read_conditions (hr_json_get_value (rule, "args"), conds, &n, &repeated_index, err) < 0)
    return -1;
  if (names != NULL && names->type != HR_JSON_ARRAY)
    return hr_error_set (err, 0, "seccomp syscalls names: expected array");
  if (action == default_action)
    return 0; /* runc skips these: libseccomp refuses them */
  for (size_t i = 0; names && i < names->len; i++)
    {
      const char *name = hr_json_is_string (names->items[i]) ? names->items[i]->text : NULL;
      int nr;

      if (name == NULL)
        return hr_error_set (err, 0, "seccomp syscalls names: expected strings");
      nr = seccomp_syscall_resolve_name (name);
      if (nr == __NR_SCMP_ERROR)
        continue; /* runc ignores system calls unknown to libseccomp */
      if (add_rule_for_syscall (ctx, nr, action, conds, n, repeated_index, name, err) < 0)
        return -1;
    }
  return 0;
}

/* Generates the filter into a memory file: a profile libseccomp cannot
 * turn into BPF would otherwise fail in runc.  The BPF itself is read back
 * only when bpf is not NULL (the compiled-profile cache stores it). */
static int
export_bpf (scmp_filter_ctx ctx, char **bpf, size_t *len, hr_error_t *err)
{
  cleanup_close int fd = memfd_create ("hardrun-seccomp-check", MFD_CLOEXEC);
  off_t size;
  int ret;

  if (fd < 0)
    return hr_error_set (err, errno, "cannot make room for the seccomp filter");
  ret = seccomp_export_bpf (ctx, fd);
  if (ret < 0)
    return hr_error_set (err, -ret, "cannot generate the seccomp filter");
  if (bpf == NULL)
    return 0;
  size = lseek (fd, 0, SEEK_CUR);
  if (size < 0)
    return hr_error_set (err, errno, "cannot measure the seccomp filter");
  *bpf = xmalloc ((size_t)size + 1);
  if (pread (fd, *bpf, (size_t)size, 0) != size)
    {
      free (hr_steal_pointer (bpf));
      return hr_error_set (err, errno, "cannot read the seccomp filter back");
    }
  *len = (size_t)size;
  return 0;
}

int
hr_seccomp_build (const struct hr_json *profile, scmp_filter_ctx *out, hr_error_t *err)
{
  const struct hr_json *syscalls;
  uint32_t default_action;
  scmp_filter_ctx ctx;

  *out = NULL;
  if (profile->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "linux.seccomp: expected object");
  if (hr_seccomp_read_action (profile, "defaultAction", "defaultErrnoRet", &default_action, err) < 0)
    return -1;
  if (hr_json_check_type (profile, "syscalls", HR_JSON_ARRAY, "linux.seccomp", err) < 0
      || hr_json_check_type (profile, "architectures", HR_JSON_ARRAY, "linux.seccomp", err) < 0)
    return -1;
  ctx = seccomp_init (default_action);
  if (ctx == NULL)
    return hr_error_set (err, EINVAL, "cannot create a seccomp filter");
  syscalls = hr_json_get_value (profile, "syscalls");
  if (add_architectures (ctx, hr_json_get_value (profile, "architectures"), err) < 0)
    goto fail;
  for (size_t i = 0; syscalls && i < syscalls->len; i++)
    if (add_syscall_rule (ctx, syscalls->items[i], default_action, err) < 0)
      goto fail;
  *out = ctx;
  return 0;
fail:
  seccomp_release (ctx);
  return -1;
}

int
hr_seccomp_compile_bpf (const struct hr_json *profile, char **bpf, size_t *len, hr_error_t *err)
{
  scmp_filter_ctx ctx;
  int ret;

  if (hr_seccomp_build (profile, &ctx, err) < 0)
    return -1;
  ret = export_bpf (ctx, bpf, len, err);
  seccomp_release (ctx);
  return ret;
}

int
hr_seccomp_compile (const struct hr_json *profile, hr_error_t *err)
{
  return hr_seccomp_compile_bpf (profile, NULL, NULL, err);
}
