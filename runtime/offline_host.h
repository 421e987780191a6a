/* SPDX-License-Identifier: Apache-2.0 */
/* `check --offline`: answers to the policy's host questions from the text of
 * the paths alone (struct hr_host), for specs captured on another machine. */
#ifndef HARDRUN_OFFLINE_HOST_H
#define HARDRUN_OFFLINE_HOST_H

#include "hardrun/enforce.h"

/* Every error an offline answer gives starts with this text: what the
 * pattern cannot decide is refused, and `check` reports it apart. */
#define HR_OFFLINE_UNDECIDED "cannot judge offline"

/* The executable an offline check takes a hook's /proc/PID/exe for: the
 * engine process that wrote the spec (docker's libnetwork hook). */
#define HR_OFFLINE_ENGINE_EXE "/usr/bin/dockerd"

/* Replaces every host-inspecting answer of host with a pattern judgement;
 * answers that need no host (seccomp compilation) are kept. */
void hr_offline_host_adjust (struct hr_host *host, void *unused);

/* The decision message is an offline "cannot judge" refusal. */
bool hr_offline_undecided (const char *message);

#endif
