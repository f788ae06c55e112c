/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-irc-message.h"
#include "suda-scheduler-private.h"
#include "suda-server-private.h"

/* The main-loop timer runs on the monotonic clock, which stops during a
 * suspend and ignores wall-clock corrections; re-reading the wall clock at
 * least this often bounds how late a message can be after either. */
#define MAX_TIMER_MS 60000

G_DEFINE_FINAL_TYPE (SudaScheduler, suda_scheduler, G_TYPE_OBJECT)
G_DEFINE_QUARK (suda-scheduler-error-quark, suda_scheduler_error)

enum {
  PROP_0,
  PROP_STATE_PATH,
  PROP_MAX_PER_AUTHOR,
  PROP_N_PENDING,
  N_PROPS
};

enum {
  SIGNAL_DUE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GDateTime *
default_clock (gpointer user_data)
{
  return g_date_time_new_now_utc ();
}

GDateTime *
suda_scheduler_dup_now (SudaScheduler *self)
{
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), NULL);

  now = self->clock (self->clock_data);
  return g_date_time_to_utc (now);
}

/* Timers */

static void rearm_timer (SudaScheduler *self);

static gboolean
on_timer (gpointer user_data)
{
  SudaScheduler *self = user_data;

  self->timer_id = 0;
  suda_scheduler_check_due (self);
  return G_SOURCE_REMOVE;
}

static void
rearm_timer (SudaScheduler *self)
{
  SudaScheduledMessage *head;
  g_autoptr(GDateTime) now = NULL;
  GTimeSpan wait;
  guint wait_ms;

  g_clear_handle_id (&self->timer_id, _suda_source_remove);
  if (self->pending->len == 0)
    return;

  head = g_ptr_array_index (self->pending, 0);
  now = suda_scheduler_dup_now (self);
  wait = g_date_time_difference (head->due, now);
  if (wait <= 0)
    wait_ms = 0;
  else
    wait_ms = (guint) MIN ((wait + 999) / 1000, MAX_TIMER_MS);
  self->timer_id = _suda_timeout_add (wait_ms, on_timer, self);
  _suda_source_set_name (self->timer_id, "[suda] scheduled messages");
}

/* The state file has had its record of the change appended already. */
static void
pending_changed (SudaScheduler *self)
{
  rearm_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

/* Takes every message due by now off the list, then announces them: the
 * list is consistent and saved before any handler runs, so a handler may
 * add or cancel freely. */
void
_suda_scheduler_deliver_due (SudaScheduler *self,
                             gboolean       late)
{
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_scheduled_message_unref);
  g_autoptr(GDateTime) now = suda_scheduler_dup_now (self);
  guint n_due = 0;

  while (n_due < self->pending->len)
    {
      SudaScheduledMessage *message = g_ptr_array_index (self->pending, n_due);

      if (g_date_time_compare (message->due, now) > 0)
        break;
      n_due++;
    }

  if (n_due > 0)
    {
      for (guint i = 0; i < n_due; i++)
        g_ptr_array_add (due, g_ptr_array_index (self->pending, i));
      /* The references move to DUE; removing must not drop them. */
      g_ptr_array_set_free_func (self->pending, NULL);
      g_ptr_array_remove_range (self->pending, 0, n_due);
      g_ptr_array_set_free_func (self->pending, (GDestroyNotify) suda_scheduled_message_unref);
      _suda_scheduler_record_removed (self, due);
      pending_changed (self);
    }
  else
    rearm_timer (self);

  g_object_ref (self);
  for (guint i = 0; i < due->len; i++)
    g_signal_emit (self, signals[SIGNAL_DUE], 0, g_ptr_array_index (due, i), late);
  g_object_unref (self);
}

/* GObject */

static void
suda_scheduler_dispose (GObject *object)
{
  SudaScheduler *self = SUDA_SCHEDULER (object);

  g_clear_handle_id (&self->timer_id, _suda_source_remove);

  G_OBJECT_CLASS (suda_scheduler_parent_class)->dispose (object);
}

static void
suda_scheduler_finalize (GObject *object)
{
  SudaScheduler *self = SUDA_SCHEDULER (object);

  if (self->clock_destroy != NULL)
    self->clock_destroy (self->clock_data);
  _suda_scheduler_close_state (self);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->state_path, g_free);

  G_OBJECT_CLASS (suda_scheduler_parent_class)->finalize (object);
}

static void
suda_scheduler_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SudaScheduler *self = SUDA_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_STATE_PATH:
      g_value_set_string (value, self->state_path);
      break;
    case PROP_MAX_PER_AUTHOR:
      g_value_set_uint (value, self->max_per_author);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->pending->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_scheduler_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SudaScheduler *self = SUDA_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_STATE_PATH:
      self->state_path = g_value_dup_string (value);
      break;
    case PROP_MAX_PER_AUTHOR:
      suda_scheduler_set_max_per_author (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_scheduler_class_init (SudaSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = suda_scheduler_dispose;
  object_class->finalize = suda_scheduler_finalize;
  object_class->get_property = suda_scheduler_get_property;
  object_class->set_property = suda_scheduler_set_property;

  properties[PROP_STATE_PATH] =
    g_param_spec_string ("state-path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_PER_AUTHOR] =
    g_param_spec_uint ("max-per-author", NULL, NULL,
                       1, G_MAXUINT, SUDA_SCHEDULER_DEFAULT_MAX_PER_AUTHOR,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_DUE] =
    g_signal_new ("due",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  SUDA_TYPE_SCHEDULED_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_BOOLEAN);
}

static void
suda_scheduler_init (SudaScheduler *self)
{
  self->max_per_author = SUDA_SCHEDULER_DEFAULT_MAX_PER_AUTHOR;
  self->max_total = SUDA_SCHEDULER_DEFAULT_MAX_TOTAL;
  self->next_id = 1;
  self->state_fd = -1;
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_scheduled_message_unref);
  self->clock = default_clock;
}

/* Public API */

/**
 * suda_scheduler_new:
 * @state_path: (nullable): the JSON file pending messages are kept in
 */
SudaScheduler *
suda_scheduler_new (const char *state_path)
{
  return g_object_new (SUDA_TYPE_SCHEDULER,
                       "state-path", state_path,
                       NULL);
}

/**
 * suda_scheduler_set_clock:
 * @clock: (nullable): returns the current time; NULL restores the real clock
 *
 * Re-arms the timer against the new clock; call
 * suda_scheduler_check_due() after moving a test clock forward.
 */
void
suda_scheduler_set_clock (SudaScheduler  *self,
                          SudaClockFunc   clock,
                          gpointer        user_data,
                          GDestroyNotify  destroy)
{
  g_return_if_fail (SUDA_IS_SCHEDULER (self));

  if (self->clock_destroy != NULL)
    self->clock_destroy (self->clock_data);
  self->clock = clock != NULL ? clock : default_clock;
  self->clock_data = clock != NULL ? user_data : NULL;
  self->clock_destroy = clock != NULL ? destroy : NULL;
  rearm_timer (self);
}

guint
suda_scheduler_get_max_per_author (SudaScheduler *self)
{
  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), 0);
  return self->max_per_author;
}

void
suda_scheduler_set_max_per_author (SudaScheduler *self,
                                   guint          max_per_author)
{
  g_return_if_fail (SUDA_IS_SCHEDULER (self));
  g_return_if_fail (max_per_author > 0);

  if (self->max_per_author == max_per_author)
    return;
  self->max_per_author = max_per_author;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_PER_AUTHOR]);
}

guint
suda_scheduler_get_n_pending (SudaScheduler *self)
{
  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), 0);
  return self->pending->len;
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static guint
count_by_author (SudaScheduler *self,
                 const char    *author)
{
  guint n = 0;

  for (guint i = 0; i < self->pending->len; i++)
    {
      SudaScheduledMessage *message = g_ptr_array_index (self->pending, i);

      if (suda_irc_casecmp (message->author, author) == 0)
        n++;
    }
  return n;
}

/**
 * suda_scheduler_add:
 * @due: when to post; any zone
 *
 * Returns: (transfer full) (nullable): the new pending message
 */
SudaScheduledMessage *
suda_scheduler_add (SudaScheduler *self,
                    const char    *author,
                    const char    *channel,
                    GDateTime     *due,
                    const char    *text,
                    GError       **error)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) limit = NULL;
  SudaScheduledMessage *message;
  guint position;

  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), NULL);
  g_return_val_if_fail (author != NULL && *author != '\0', NULL);
  g_return_val_if_fail (channel != NULL && *channel != '\0', NULL);
  g_return_val_if_fail (due != NULL, NULL);
  g_return_val_if_fail (text == NULL || g_utf8_validate (text, -1, NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (is_blank (text))
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_NO_TEXT,
                   _("There is no text to post"));
      return NULL;
    }

  now = suda_scheduler_dup_now (self);
  limit = g_date_time_add_seconds (now, SUDA_SCHEDULER_MAX_DELAY_SECONDS);
  if (g_date_time_compare (due, limit) > 0)
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_TOO_FAR,
                   _("That is too far ahead; the limit is %u days"),
                   SUDA_SCHEDULER_MAX_DELAY_SECONDS / (24 * 3600));
      return NULL;
    }

  if (count_by_author (self, author) >= self->max_per_author)
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_TOO_MANY,
                   g_dngettext (GETTEXT_PACKAGE, "You already have %u message waiting, the most allowed",
                             "You already have %u messages waiting, the most allowed",
                             self->max_per_author),
                   self->max_per_author);
      return NULL;
    }
  if (self->pending->len >= self->max_total)
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_FULL,
                   _("The server holds too many scheduled messages; try later"));
      return NULL;
    }

  message = _suda_scheduled_message_new (self->next_id++, author, channel, text, due, now);
  /* Keep the list sorted: after every message due no later than this one. */
  for (position = self->pending->len; position > 0; position--)
    {
      SudaScheduledMessage *before = g_ptr_array_index (self->pending, position - 1);

      if (g_date_time_compare (before->due, message->due) <= 0)
        break;
    }
  g_ptr_array_insert (self->pending, position, message);
  _suda_scheduler_record_added (self, message);
  pending_changed (self);
  return suda_scheduled_message_ref (message);
}

/**
 * suda_scheduler_list:
 * @author: (nullable): whose messages; NULL for all
 *
 * Returns: (transfer container) (element-type SudaScheduledMessage): the
 *   pending messages, soonest first
 */
GPtrArray *
suda_scheduler_list (SudaScheduler *self,
                     const char    *author)
{
  GPtrArray *list;

  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_scheduled_message_unref);
  for (guint i = 0; i < self->pending->len; i++)
    {
      SudaScheduledMessage *message = g_ptr_array_index (self->pending, i);

      if (author == NULL || suda_irc_casecmp (message->author, author) == 0)
        g_ptr_array_add (list, suda_scheduled_message_ref (message));
    }
  return list;
}

/**
 * suda_scheduler_lookup:
 *
 * Returns: (transfer none) (nullable): the pending message with that id
 */
SudaScheduledMessage *
suda_scheduler_lookup (SudaScheduler *self,
                       guint          id)
{
  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), NULL);

  for (guint i = 0; i < self->pending->len; i++)
    {
      SudaScheduledMessage *message = g_ptr_array_index (self->pending, i);

      if (message->id == id)
        return message;
    }
  return NULL;
}

/**
 * suda_scheduler_cancel:
 * @requester: who asks; only the author or an operator may cancel
 *
 * Returns: (transfer full) (nullable): the message taken off the list
 */
SudaScheduledMessage *
suda_scheduler_cancel (SudaScheduler *self,
                       guint          id,
                       const char    *requester,
                       gboolean       requester_is_operator,
                       GError       **error)
{
  SudaScheduledMessage *message = NULL;
  guint i;

  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), NULL);
  g_return_val_if_fail (requester != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (i = 0; i < self->pending->len; i++)
    {
      message = g_ptr_array_index (self->pending, i);
      if (message->id == id)
        break;
    }
  if (i == self->pending->len)
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_NOT_FOUND,
                   _("No scheduled message has the id %u"), id);
      return NULL;
    }
  if (!requester_is_operator && suda_irc_casecmp (message->author, requester) != 0)
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_NOT_PERMITTED,
                   _("Message %u was scheduled by %s; only they or an operator can cancel it"),
                   id, message->author);
      return NULL;
    }

  message = g_ptr_array_steal_index (self->pending, i);
  {
    g_autoptr(GPtrArray) gone = g_ptr_array_new ();

    g_ptr_array_add (gone, message);
    _suda_scheduler_record_removed (self, gone);
  }
  pending_changed (self);
  return message;
}

/**
 * suda_scheduler_check_due:
 *
 * Posts every message whose time has come by the scheduler's clock.  The
 * main-loop timer calls this; tests call it after moving their clock.
 */
void
suda_scheduler_check_due (SudaScheduler *self)
{
  g_return_if_fail (SUDA_IS_SCHEDULER (self));

  _suda_scheduler_deliver_due (self, FALSE);
}

/**
 * suda_scheduler_get_next_due:
 *
 * Returns: (transfer none) (nullable): when the soonest message is due
 */
GDateTime *
suda_scheduler_get_next_due (SudaScheduler *self)
{
  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), NULL);

  if (self->pending->len == 0)
    return NULL;
  return ((SudaScheduledMessage *) g_ptr_array_index (self->pending, 0))->due;
}
