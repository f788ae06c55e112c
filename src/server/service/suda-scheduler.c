/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "suda-irc-message.h"
#include "suda-scheduler.h"

/* Bumped when the state file's shape changes incompatibly. */
#define STATE_VERSION 1
/* The main-loop timer runs on the monotonic clock, which stops during a
 * suspend and ignores wall-clock corrections; re-reading the wall clock at
 * least this often bounds how late a message can be after either. */
#define MAX_TIMER_MS 60000

struct _SudaScheduledMessage
{
  grefcount  ref_count;
  guint      id;
  char      *author;
  char      *channel;
  char      *text;
  GDateTime *due;       /* UTC */
  GDateTime *created;   /* UTC */
};

struct _SudaScheduler
{
  GObject         parent_instance;

  char           *state_path;
  guint           max_per_author;
  guint           max_total;
  guint           next_id;
  gboolean        loaded;

  /* Sorted by due time, then id: the head is what the timer waits for. */
  GPtrArray      *pending;
  guint           timer_id;

  SudaClockFunc   clock;
  gpointer        clock_data;
  GDestroyNotify  clock_destroy;
};

G_DEFINE_FINAL_TYPE (SudaScheduler, suda_scheduler, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (SudaScheduledMessage, suda_scheduled_message,
                     suda_scheduled_message_ref, suda_scheduled_message_unref)
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

/* Scheduled messages */

static SudaScheduledMessage *
scheduled_message_new (guint       id,
                       const char *author,
                       const char *channel,
                       const char *text,
                       GDateTime  *due,
                       GDateTime  *created)
{
  SudaScheduledMessage *self = g_new0 (SudaScheduledMessage, 1);

  g_ref_count_init (&self->ref_count);
  self->id = id;
  self->author = g_strdup (author);
  self->channel = g_strdup (channel);
  self->text = g_strdup (text);
  self->due = g_date_time_to_utc (due);
  self->created = g_date_time_to_utc (created);
  return self;
}

SudaScheduledMessage *
suda_scheduled_message_ref (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

void
suda_scheduled_message_unref (SudaScheduledMessage *self)
{
  g_return_if_fail (self != NULL);

  if (!g_ref_count_dec (&self->ref_count))
    return;
  g_free (self->author);
  g_free (self->channel);
  g_free (self->text);
  g_date_time_unref (self->due);
  g_date_time_unref (self->created);
  g_free (self);
}

guint
suda_scheduled_message_get_id (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->id;
}

const char *
suda_scheduled_message_get_author (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->author;
}

const char *
suda_scheduled_message_get_channel (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->channel;
}

const char *
suda_scheduled_message_get_text (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->text;
}

GDateTime *
suda_scheduled_message_get_due (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->due;
}

GDateTime *
suda_scheduled_message_get_created (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->created;
}

static int
compare_messages (gconstpointer a,
                  gconstpointer b)
{
  const SudaScheduledMessage *ma = *(SudaScheduledMessage * const *) a;
  const SudaScheduledMessage *mb = *(SudaScheduledMessage * const *) b;
  int cmp = g_date_time_compare (ma->due, mb->due);

  if (cmp != 0)
    return cmp;
  return (ma->id > mb->id) - (ma->id < mb->id);
}

/* Parsing WHEN */

static gboolean
parse_digits (const char *start,
              gsize       len,
              guint64     max,
              guint64    *out)
{
  char buf[12];

  if (len == 0 || len >= sizeof buf)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (start[i]))
      return FALSE;
  memcpy (buf, start, len);
  buf[len] = '\0';
  return g_ascii_string_to_unsigned (buf, 10, 0, max, out, NULL);
}

static GDateTime *
parse_relative (const char *spec,
                GDateTime  *now,
                GError    **error)
{
  static const struct { char unit; guint64 seconds; } units[] = {
    { 'd', 24 * 3600 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
  };
  const char *p = spec + 1;
  guint next_unit = 0;
  guint64 total = 0;

  if (*p == '\0')
    goto bad;

  /* Units go largest first, each at most once: "+1h30m", not "+30m1h". */
  while (*p != '\0')
    {
      const char *digits = p;
      guint64 value;
      char unit;
      guint i;

      while (g_ascii_isdigit (*p))
        p++;
      unit = g_ascii_tolower (*p);
      if (!parse_digits (digits, p - digits, SUDA_SCHEDULER_MAX_DELAY_SECONDS, &value))
        goto too_far_or_bad;
      for (i = next_unit; i < G_N_ELEMENTS (units); i++)
        if (units[i].unit == unit)
          break;
      if (i == G_N_ELEMENTS (units))
        goto bad;
      total += value * units[i].seconds;
      if (total > SUDA_SCHEDULER_MAX_DELAY_SECONDS)
        goto too_far;
      next_unit = i + 1;
      p++;
    }

  if (total == 0)
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                   _("“%s” is no time from now; use at least +1s"), spec);
      return NULL;
    }
  return g_date_time_add_seconds (now, (double) total);

too_far_or_bad:
  /* A long run of digits is a number too big, not garbage. */
  if (p > spec + 1 && g_ascii_isdigit (p[-1]))
    goto too_far;
bad:
  g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
               _("“%s” is not a time; write HH:MM, HH:MM:SS or +10m"), spec);
  return NULL;
too_far:
  g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_TOO_FAR,
               _("“%s” is too far ahead; the limit is %u days"),
               spec, SUDA_SCHEDULER_MAX_DELAY_SECONDS / (24 * 3600));
  return NULL;
}

static GDateTime *
parse_clock_time (const char *spec,
                  GDateTime  *now,
                  GError    **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", -1);
  guint n_parts = g_strv_length (parts);
  guint64 hour, minute, second = 0;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) tomorrow = NULL;
  g_autoptr(GDateTime) noon = NULL;
  GTimeZone *tz = g_date_time_get_timezone (now);

  if ((n_parts != 2 && n_parts != 3)
      || !parse_digits (parts[0], strlen (parts[0]), G_MAXUINT64, &hour)
      || strlen (parts[0]) > 2
      || strlen (parts[1]) != 2
      || !parse_digits (parts[1], 2, G_MAXUINT64, &minute)
      || (n_parts == 3 && (strlen (parts[2]) != 2
                           || !parse_digits (parts[2], 2, G_MAXUINT64, &second))))
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                   _("“%s” is not a time; write HH:MM, HH:MM:SS or +10m"), spec);
      return NULL;
    }
  if (hour > 23 || minute > 59 || second > 59)
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                   _("“%s” is not a time of day; hours go to 23, minutes and seconds to 59"),
                   spec);
      return NULL;
    }

  /* A time of day is read in NOW's zone, which the caller makes the
   * server's local zone.  Tomorrow is found through the calendar, not by
   * adding 24 hours, so a daylight-saving change keeps the wall time. */
  today = g_date_time_new (tz,
                           g_date_time_get_year (now),
                           g_date_time_get_month (now),
                           g_date_time_get_day_of_month (now),
                           hour, minute, second);
  if (today != NULL && g_date_time_compare (today, now) > 0)
    return g_steal_pointer (&today);

  noon = g_date_time_new (tz,
                              g_date_time_get_year (now),
                              g_date_time_get_month (now),
                              g_date_time_get_day_of_month (now),
                              12, 0, 0);
  tomorrow = g_date_time_add_days (noon, 1);
  g_clear_pointer (&today, g_date_time_unref);
  today = g_date_time_new (tz,
                           g_date_time_get_year (tomorrow),
                           g_date_time_get_month (tomorrow),
                           g_date_time_get_day_of_month (tomorrow),
                           hour, minute, second);
  if (today == NULL)
    g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                 _("“%s” does not exist in the server's time zone"), spec);
  return g_steal_pointer (&today);
}

/**
 * suda_schedule_parse_when:
 * @spec: "HH:MM", "HH:MM:SS" or a delay such as "+90s", "+10m", "+1h30m"
 * @now: the current time, in the zone a time of day is meant in
 *
 * Returns: (transfer full): the moment SPEC names, in UTC; a time of day
 *   already past today means tomorrow.
 */
GDateTime *
suda_schedule_parse_when (const char *spec,
                          GDateTime  *now,
                          GError    **error)
{
  g_autoptr(GDateTime) when = NULL;

  g_return_val_if_fail (now != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (spec == NULL || *spec == '\0')
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                   _("No time given; write HH:MM, HH:MM:SS or +10m"));
      return NULL;
    }

  if (spec[0] == '+')
    when = parse_relative (spec, now, error);
  else
    when = parse_clock_time (spec, now, error);
  if (when == NULL)
    return NULL;
  return g_date_time_to_utc (when);
}

/* Persistence */

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

static char *
format_time (GDateTime *time)
{
  return g_date_time_format_iso8601 (time);
}

static char *
serialize_state (SudaScheduler *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, STATE_VERSION);
  json_builder_set_member_name (builder, "next-id");
  json_builder_add_int_value (builder, self->next_id);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->pending->len; i++)
    {
      SudaScheduledMessage *message = g_ptr_array_index (self->pending, i);
      g_autofree char *due = format_time (message->due);
      g_autofree char *created = format_time (message->created);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, message->id);
      json_builder_set_member_name (builder, "author");
      json_builder_add_string_value (builder, message->author);
      json_builder_set_member_name (builder, "channel");
      json_builder_add_string_value (builder, message->channel);
      json_builder_set_member_name (builder, "due");
      json_builder_add_string_value (builder, due);
      json_builder_set_member_name (builder, "created");
      json_builder_add_string_value (builder, created);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, message->text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

static void
save_state (SudaScheduler *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *dir = NULL;

  if (self->state_path == NULL)
    return;

  data = serialize_state (self);
  dir = g_path_get_dirname (self->state_path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_warning ("Cannot create %s for scheduled messages: %s",
                 dir, g_strerror (saved_errno));
      return;
    }

  /* Written to a temporary file, synced and renamed over the old one, so a
   * crash leaves either the old state or the new, never half of one. */
  if (!g_file_set_contents_full (self->state_path, data, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &error))
    g_warning ("Cannot save scheduled messages: %s", error->message);
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static SudaScheduledMessage *
message_from_json (JsonNode *node)
{
  JsonObject *object;
  JsonNode *id_node;
  const char *author, *channel, *text, *due_text, *created_text;
  g_autoptr(GDateTime) due = NULL;
  g_autoptr(GDateTime) created = NULL;
  gint64 id;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  id_node = json_object_get_member (object, "id");
  if (id_node == NULL || json_node_get_value_type (id_node) != G_TYPE_INT64)
    return NULL;
  id = json_node_get_int (id_node);
  author = get_string_member (object, "author");
  channel = get_string_member (object, "channel");
  text = get_string_member (object, "text");
  due_text = get_string_member (object, "due");
  created_text = get_string_member (object, "created");
  if (id <= 0 || id > G_MAXUINT
      || author == NULL || *author == '\0'
      || channel == NULL || *channel == '\0'
      || text == NULL || due_text == NULL)
    return NULL;
  due = g_date_time_new_from_iso8601 (due_text, NULL);
  if (due == NULL)
    return NULL;
  if (created_text != NULL)
    created = g_date_time_new_from_iso8601 (created_text, NULL);
  if (created == NULL)
    created = g_date_time_ref (due);

  return scheduled_message_new ((guint) id, author, channel, text, due, created);
}

static gboolean
parse_state (SudaScheduler *self,
             const char    *data,
             gsize          len,
             GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *messages;
  gint64 next_id = 1;

  if (!json_parser_load_from_data (parser, data, len, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "version", 0) != STATE_VERSION)
    goto bad;
  if (!json_object_has_member (root, "messages")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "messages")))
    goto bad;

  next_id = json_object_get_int_member_with_default (root, "next-id", 1);
  messages = json_object_get_array_member (root, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      SudaScheduledMessage *message = message_from_json (json_array_get_element (messages, i));

      if (message == NULL)
        {
          g_message ("Skipping a malformed scheduled message in %s", self->state_path);
          continue;
        }
      next_id = MAX (next_id, (gint64) message->id + 1);
      g_ptr_array_add (self->pending, message);
    }
  g_ptr_array_sort (self->pending, compare_messages);
  self->next_id = (guint) CLAMP (next_id, 1, G_MAXUINT);
  return TRUE;

bad:
  g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_STATE,
               _("%s is not a scheduled-messages file"), self->state_path);
  return FALSE;
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

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->pending->len == 0)
    return;

  head = g_ptr_array_index (self->pending, 0);
  now = suda_scheduler_dup_now (self);
  wait = g_date_time_difference (head->due, now);
  if (wait <= 0)
    wait_ms = 0;
  else
    wait_ms = (guint) MIN ((wait + 999) / 1000, MAX_TIMER_MS);
  self->timer_id = g_timeout_add (wait_ms, on_timer, self);
  g_source_set_name_by_id (self->timer_id, "[suda] scheduled messages");
}

static void
pending_changed (SudaScheduler *self)
{
  save_state (self);
  rearm_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

/* Takes every message due by now off the list, then announces them: the
 * list is consistent and saved before any handler runs, so a handler may
 * add or cancel freely. */
static void
deliver_due (SudaScheduler *self,
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

  g_clear_handle_id (&self->timer_id, g_source_remove);

  G_OBJECT_CLASS (suda_scheduler_parent_class)->dispose (object);
}

static void
suda_scheduler_finalize (GObject *object)
{
  SudaScheduler *self = SUDA_SCHEDULER (object);

  if (self->clock_destroy != NULL)
    self->clock_destroy (self->clock_data);
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

const char *
suda_scheduler_get_state_path (SudaScheduler *self)
{
  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), NULL);
  return self->state_path;
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

/**
 * suda_scheduler_load:
 *
 * Reads the state file, if there is one, and posts at once, as late, every
 * message whose time passed meanwhile: connect to "due" first.  A file
 * that cannot be read is renamed aside (to `PATH.bad`) so the next save
 * does not destroy what it held, and an error is returned; the scheduler
 * then starts empty and works.
 */
gboolean
suda_scheduler_load (SudaScheduler  *self,
                     GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (!self->loaded, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->loaded = TRUE;
  if (self->state_path == NULL)
    return TRUE;

  if (!g_file_get_contents (self->state_path, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!parse_state (self, data, len, &local_error))
    {
      g_autofree char *aside = g_strconcat (self->state_path, ".bad", NULL);

      g_ptr_array_set_size (self->pending, 0);
      g_rename (self->state_path, aside);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (self->pending->len > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
  deliver_due (self, TRUE);
  return TRUE;
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

  message = scheduled_message_new (self->next_id++, author, channel, text, due, now);
  /* Keep the list sorted: after every message due no later than this one. */
  for (position = self->pending->len; position > 0; position--)
    {
      SudaScheduledMessage *before = g_ptr_array_index (self->pending, position - 1);

      if (g_date_time_compare (before->due, message->due) <= 0)
        break;
    }
  g_ptr_array_insert (self->pending, position, message);
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

  deliver_due (self, FALSE);
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
