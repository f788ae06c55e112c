/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-task.h"

G_DEFINE_QUARK (suda-task-thread-func, thread_func)

/* GTask calls back only once the thread's function has returned, so the
 * release after it comes before any propagate. */
static void
run_annotated (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GTaskThreadFunc func;

  SUDA_TSAN_ACQUIRE (task);
  func = (GTaskThreadFunc) g_object_get_qdata (G_OBJECT (task), thread_func_quark ());
  func (task, source_object, task_data, cancellable);
  SUDA_TSAN_RELEASE (task);
}

void
suda_task_run_in_thread (GTask           *task,
                         GTaskThreadFunc  func)
{
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  g_object_set_qdata (G_OBJECT (task), thread_func_quark (), (gpointer) func);
  SUDA_TSAN_RELEASE (task);
  g_task_run_in_thread (task, run_annotated);
}

gboolean
suda_task_propagate_boolean (GTask   *task,
                             GError **error)
{
  SUDA_TSAN_ACQUIRE (task);
  return g_task_propagate_boolean (task, error);
}

gpointer
suda_task_propagate_pointer (GTask   *task,
                             GError **error)
{
  SUDA_TSAN_ACQUIRE (task);
  return g_task_propagate_pointer (task, error);
}
