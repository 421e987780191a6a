/* SPDX-License-Identifier: Apache-2.0 */
/* runc's state records and process identity: a container is alive while
 * the process runc recorded as its init runs with the recorded start time. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "runc_state.h"

static char root[] = "/tmp/hardrun-runc-state-XXXXXX";

static void
make_root (void)
{
  cr_assert_not_null (mkdtemp (root));
}

static void
remove_root (void)
{
  char cmd[80];
  snprintf (cmd, sizeof cmd, "rm -rf %s", root);
  cr_assert_eq (system (cmd), 0);
}

static void
write_state (const char *id, long long pid, unsigned long long start, mode_t mode)
{
  cleanup_free char *dir = NULL, *file = NULL;
  FILE *f;

  xasprintf (&dir, "%s/%s", root, id);
  xasprintf (&file, "%s/state.json", dir);
  cr_assert_eq (mkdir (dir, 0711), 0);
  f = fopen (file, "w");
  cr_assert_not_null (f);
  fprintf (f, "{\"id\":\"%s\",\"init_process_pid\":%lld,\"init_process_start\":%llu}", id, pid, start);
  fclose (f);
  chmod (file, mode);
}

Test (runc_state, own_process_identity)
{
  char state = '?';
  uint64_t start = hr_process_start_time (getpid (), &state);

  cr_assert_gt (start, 0);
  cr_assert_eq (state, 'R');
  cr_assert (hr_process_is (getpid (), start));
  cr_assert_not (hr_process_is (getpid (), start + 1), "a reused pid has another start time");
  cr_assert_not (hr_process_is (0, start));
  cr_assert_eq (hr_process_start_time (-1, &state), 0);
}

Test (runc_state, alive_by_recorded_init, .init = make_root, .fini = remove_root)
{
  char state;
  uint64_t start = hr_process_start_time (getpid (), &state);

  if (geteuid () != 0)
    cr_skip_test ("needs root: the records must be root's");
  write_state ("live", getpid (), start, 0600);
  write_state ("reused", getpid (), start + 7, 0600);
  write_state ("writable", 999999999, 1, 0666);
  cr_assert (hr_runc_container_alive (root, "live"));
  cr_assert_not (hr_runc_container_alive (root, "reused"), "same pid, other start time: another process");
  cr_assert_not (hr_runc_container_alive (root, "absent"));
  cr_assert_not (hr_runc_container_alive (root, "../live"), "ids with a slash name no container");
  /* a record others could have written proves nothing: fail closed */
  cr_assert (hr_runc_container_alive (root, "writable"));
}
