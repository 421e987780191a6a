/* SPDX-License-Identifier: Apache-2.0 */
/* The heap a create is about to use, made present in one call. */
#ifndef HARDRUN_HEAP_PREFAULT_H
#define HARDRUN_HEAP_PREFAULT_H

#include <stddef.h>

/* Makes the next `bytes` of malloc's heap present (MADV_POPULATE_WRITE,
 * Linux 5.14); on an older kernel, or when it fails, pages fault in one by
 * one as before. */
void hr_heap_prefault (size_t bytes);

#endif
