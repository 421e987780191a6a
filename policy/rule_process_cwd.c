/* SPDX-License-Identifier: Apache-2.0 */
/* process_cwd: a working directory inside /proc/PID/ (fd, cwd, root, ...)
 * hands the process a directory of the host, the CVE-2024-21626 class of
 * escape.  Checked for the container and for every exec, on the text and
 * on where it leads: resolved inside the rootfs (create: the image; exec:
 * the running container's root, mounts included) as runc's chdir will. */
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

/* /proc/<anything>/<anything>: a per-process directory's contents. */
static bool
inside_proc_pid_dir (const char *clean)
{
  const char *rest;

  if (!hr_has_prefix (clean, "/proc/"))
    return false;
  rest = strchr (clean + strlen ("/proc/"), '/');
  return rest != NULL && rest[1] != '\0';
}

/* The rootfs the working directory is resolved in: the spec's root.path,
 * or for an exec the container's live root. */
static const char *
rootfs_of (const struct hr_rule_ctx *ctx, const struct hr_json *process)
{
  const struct hr_json *path;

  if (ctx->host == NULL || ctx->host->resolve_cwd == NULL)
    return NULL;
  if (ctx->doc == process)
    return ctx->host->process_root;
  path = hr_json_get_value (hr_json_get_value (ctx->doc, "root"), "path");
  return hr_json_is_string (path) ? path->text : NULL;
}

static int
apply_process (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  const char *cwd = NULL, *rootfs;
  cleanup_free char *clean = NULL, *resolved = NULL;
  bool found;

  if (hr_json_read_string (process, "cwd", "process", &cwd, err) < 0)
    return -1;
  if (cwd == NULL)
    return 0;
  clean = hr_path_clean (cwd);
  rootfs = rootfs_of (ctx, process);
  /* a symlink in the image (or, for an exec, anywhere in the running
   * container) leads there as surely as the text does */
  if (!inside_proc_pid_dir (clean) && rootfs && clean[0] == '/')
    resolved = ctx->host->resolve_cwd (ctx->host, rootfs, clean);
  if (resolved && inside_proc_pid_dir (resolved))
    found = hr_finding (ctx, "working directory \"%s\" resolves to \"%s\" inside /proc/*/ (CVE-2024-21626)", cwd,
                        resolved);
  else if (inside_proc_pid_dir (clean))
    found = hr_finding (ctx, "working directory \"%s\" lies inside /proc/*/ (CVE-2024-21626)", cwd);
  else
    return 0;
  if (found)
    hr_json_set (process, "cwd", hr_json_new_string ("/"));
  return 0;
}

const struct hr_rule_def hr_rule_process_cwd = {
  .name = "process_cwd",
  .apply_process = apply_process,
};
