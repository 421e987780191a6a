/* SPDX-License-Identifier: Apache-2.0 */
/* runc's state records and process identity; see runc_state.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/util.h"
#include "runc_state.h"

#define STATE_MAX_SIZE (4u << 20)

/* runc's record of id under root, with only the top-level members in keep
 * built (NULL: all of it). */
static int
load_members (const char *root, const char *id, const char *const *keep, struct hr_json **state, hr_error_t *err)
{
  cleanup_free char *path = NULL, *text = NULL;
  struct stat st;
  size_t len;

  *state = NULL;
  if (strchr (id, '/') != NULL || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return 0; /* runc refuses such ids: no container of that name exists */
  xasprintf (&path, "%s/%s/state.json", root, id);
  if (hr_file_read (AT_FDCWD, path, STATE_MAX_SIZE, &text, &len, &st, err) < 0)
    {
      if ((*err)->status == ENOENT || (*err)->status == ENOTDIR)
        return hr_error_free (err), 0;
      return -1;
    }
  if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
    return hr_error_set (err, EPERM, "the runtime's record %s is not root's alone", path);
  *state = keep ? hr_json_parse_members (text, len, keep, err) : hr_json_parse (text, len, err);
  if (*state == NULL)
    return hr_error_prefix (err, "%s", path);
  return 1;
}

int
hr_runc_state_load (const char *root, const char *id, struct hr_json **state, hr_error_t *err)
{
  return load_members (root, id, NULL, state, err);
}

int
hr_runc_state_load_init (const char *root, const char *id, struct hr_json **state, hr_error_t *err)
{
  /* a record is mostly the container's config: only these are built */
  static const char *const init[] = { "init_process_pid", "init_process_start", NULL };

  return load_members (root, id, init, state, err);
}

bool
hr_runc_state_init (const struct hr_json *state, int64_t *pid, uint64_t *start)
{
  return hr_json_number_to_int64 (hr_json_get_value (state, "init_process_pid"), pid) == 0
         && hr_json_number_to_uint64 (hr_json_get_value (state, "init_process_start"), start) == 0 && *pid > 0;
}

const char *
hr_runc_state_bundle (const struct hr_json *state)
{
  const struct hr_json *labels = hr_json_get_value (hr_json_get_value (state, "config"), "labels");

  for (size_t i = 0; labels && labels->type == HR_JSON_ARRAY && i < labels->len; i++)
    if (hr_json_is_string (labels->items[i]) && hr_has_prefix (labels->items[i]->text, "bundle="))
      return labels->items[i]->text + strlen ("bundle=");
  return NULL;
}

uint64_t
hr_process_start_time (int64_t pid, char *state)
{
  char path[64], buf[1024];
  unsigned long long start = 0;
  const char *p;
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/%lld/stat", (long long)pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* the command name may hold spaces and parentheses: fields start after
   * the last ')' */
  p = strrchr (buf, ')');
  if (p == NULL
      || sscanf (p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", state,
                 &start)
             != 2)
    return 0;
  return start;
}

uint64_t
hr_self_start_time (void)
{
  char state;

  return hr_process_start_time (getpid (), &state);
}

bool
hr_process_is (int64_t pid, uint64_t start)
{
  char state = '?';

  return pid > 0 && start > 0 && hr_process_start_time (pid, &state) == start && state != 'Z' && state != 'X';
}

bool
hr_runc_container_alive (const char *root, const char *id)
{
  cleanup_json struct hr_json *state = NULL;
  hr_error_t err = NULL;
  int64_t pid;
  uint64_t start;
  int loaded = hr_runc_state_load_init (root, id, &state, &err);

  if (loaded < 0)
    return hr_error_free (&err), true;
  if (loaded == 0)
    return false;
  return !hr_runc_state_init (state, &pid, &start) || hr_process_is (pid, start);
}
