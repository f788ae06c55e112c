/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

G_BEGIN_DECLS

/* What GLib orders between threads (GMutex is a futex, GTask and
 * g_main_context_invoke hand over through GLib's own locks) is invisible to
 * ThreadSanitizer, GLib not being built with it: these tell it.  Nothing
 * in a normal build. */
#if defined(__SANITIZE_THREAD__)
#define SUDA_TSAN_RELEASE(addr) __tsan_release (addr)
#define SUDA_TSAN_ACQUIRE(addr) __tsan_acquire (addr)
#else
#define SUDA_TSAN_RELEASE(addr) ((void) (addr))
#define SUDA_TSAN_ACQUIRE(addr) ((void) (addr))
#endif

/* g_task_run_in_thread() and g_task_propagate_*() with their hand-overs
 * told to ThreadSanitizer: what the caller set up before is seen by FUNC,
 * and what FUNC made is seen by whoever propagates the result. */
void     suda_task_run_in_thread     (GTask            *task,
                                      GTaskThreadFunc   func);
gboolean suda_task_propagate_boolean (GTask            *task,
                                      GError          **error);
gpointer suda_task_propagate_pointer (GTask            *task,
                                      GError          **error);

G_END_DECLS
