/* process_cwd: a working directory inside /proc/PID/ (fd, cwd, root, ...)
 * hands the process a directory of the host, the CVE-2024-21626 class of
 * escape.  Checked for the container and for every exec. */
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

static int
apply_process (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  const char *cwd = NULL;
  cleanup_free char *clean = NULL;

  if (hr_json_read_string (process, "cwd", "process", &cwd, err) < 0)
    return -1;
  if (cwd == NULL)
    return 0;
  clean = hr_path_clean (cwd);
  if (inside_proc_pid_dir (clean)
      && hr_finding (ctx, "working directory \"%s\" lies inside /proc/*/ (CVE-2024-21626)", cwd))
    hr_json_set (process, "cwd", hr_json_new_string ("/"));
  return 0;
}

const struct hr_rule_def hr_rule_process_cwd = {
  .name = "process_cwd",
  .apply_process = apply_process,
};
