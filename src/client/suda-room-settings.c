/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The room settings dialog: it reads the room's modes from the server's
 * 324 reply, and Apply sends one MODE with what changed (and TOPIC when
 * the topic did), so an unchanged dialog sends nothing. */
#include "config.h"

#include <stdlib.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-event.h"
#include "suda-irc-message.h"
#include "suda-room-settings.h"

/* The modes this dialog shows, as the server said them. */
typedef struct {
  gboolean  invite;
  gboolean  moderated;
  gboolean  no_outside;
  gboolean  topic_lock;
  char     *key;
  guint     limit;
} RoomModes;

struct _SudaRoomSettings
{
  AdwWindow       parent_instance;

  /* Template widgets */
  GtkWidget      *apply_button;
  AdwEntryRow    *topic_row;
  GtkSwitch      *invite_switch;
  AdwEntryRow    *key_row;
  GtkSpinButton  *limit_spin;
  GtkSwitch      *moderated_switch;
  GtkSwitch      *no_outside_switch;
  GtkSwitch      *topic_lock_switch;

  /* Owned */
  SudaConnection *connection;
  char           *room;
  char           *topic;
  RoomModes       modes;
};

G_DEFINE_FINAL_TYPE (SudaRoomSettings, suda_room_settings, ADW_TYPE_WINDOW)

/* 324 RPL_CHANNELMODEIS: <client> <room> <modes> [<argument>...]; k and l
 * take an argument each, in the order of their letters. */
static void
read_modes (SudaRoomSettings *self,
            char            **params)
{
  guint next = 3;

  g_clear_pointer (&self->modes.key, g_free);
  self->modes = (RoomModes) { 0 };
  for (const char *m = params[2]; *m != '\0'; m++)
    {
      const char *argument = g_strv_length (params) > next ? params[next] : NULL;

      switch (*m)
        {
        case 'i': self->modes.invite = TRUE; break;
        case 'm': self->modes.moderated = TRUE; break;
        case 'n': self->modes.no_outside = TRUE; break;
        case 't': self->modes.topic_lock = TRUE; break;
        case 'k': self->modes.key = g_strdup (argument ? argument : ""); next++; break;
        case 'l': self->modes.limit = argument ? (guint) strtoul (argument, NULL, 10) : 0; next++; break;
        default: break;
        }
    }
  gtk_switch_set_active (self->invite_switch, self->modes.invite);
  gtk_switch_set_active (self->moderated_switch, self->modes.moderated);
  gtk_switch_set_active (self->no_outside_switch, self->modes.no_outside);
  gtk_switch_set_active (self->topic_lock_switch, self->modes.topic_lock);
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), self->modes.key ? self->modes.key : "");
  gtk_spin_button_set_value (self->limit_spin, self->modes.limit);
  gtk_widget_set_sensitive (self->apply_button, TRUE);
}

static void
event_cb (SudaConnection   *connection,
          SudaIrcEvent     *event,
          SudaRoomSettings *self)
{
  if (g_strcmp0 (event->command, "324") == 0 && event->params != NULL &&
      g_strv_length (event->params) >= 3 && suda_irc_casecmp (event->params[1], self->room) == 0)
    read_modes (self, event->params);
}

static void
flag_change (GString  *plus,
             GString  *minus,
             char      letter,
             gboolean  was,
             gboolean  now)
{
  if (was != now)
    g_string_append_c (now ? plus : minus, letter);
}

/* The one MODE line for what changed, or nothing when nothing did. */
static void
send_modes (SudaRoomSettings *self)
{
  g_autoptr(GString) plus = g_string_new (NULL);
  g_autoptr(GString) minus = g_string_new (NULL);
  g_autoptr(GString) modes = g_string_new (NULL);
  const char *args[3] = { NULL };
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));
  g_autofree char *limit = NULL;
  guint n_args = 0;
  guint new_limit;

  flag_change (plus, minus, 'i', self->modes.invite, gtk_switch_get_active (self->invite_switch));
  flag_change (plus, minus, 'm', self->modes.moderated, gtk_switch_get_active (self->moderated_switch));
  flag_change (plus, minus, 'n', self->modes.no_outside, gtk_switch_get_active (self->no_outside_switch));
  flag_change (plus, minus, 't', self->modes.topic_lock, gtk_switch_get_active (self->topic_lock_switch));
  if (g_strcmp0 (key, self->modes.key ? self->modes.key : "") != 0)
    {
      /* A changed key is set over the old one; an emptied one removed. */
      g_string_append_c (*key ? plus : minus, 'k');
      args[n_args++] = *key ? key : "*";
    }
  gtk_spin_button_update (self->limit_spin);
  new_limit = gtk_spin_button_get_value_as_int (self->limit_spin);
  if (new_limit != self->modes.limit)
    {
      g_string_append_c (new_limit > 0 ? plus : minus, 'l');
      if (new_limit > 0)
        args[n_args++] = limit = g_strdup_printf ("%u", new_limit);
    }
  if (plus->len == 0 && minus->len == 0)
    return;
  if (plus->len > 0)
    g_string_append_printf (modes, "+%s", plus->str);
  if (minus->len > 0)
    g_string_append_printf (modes, "-%s", minus->str);
  suda_connection_send_command (self->connection, "MODE", self->room, modes->str,
                                args[0], args[1], args[2], NULL);
}

void
suda_room_settings_apply (SudaRoomSettings *self)
{
  const char *topic;

  g_return_if_fail (SUDA_IS_ROOM_SETTINGS (self));

  send_modes (self);
  topic = gtk_editable_get_text (GTK_EDITABLE (self->topic_row));
  if (g_strcmp0 (topic, self->topic ? self->topic : "") != 0)
    suda_connection_send_command (self->connection, "TOPIC", self->room, topic, NULL);
  gtk_window_close (GTK_WINDOW (self));
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  suda_room_settings_apply (SUDA_ROOM_SETTINGS (widget));
}

static void
suda_room_settings_dispose (GObject *object)
{
  SudaRoomSettings *self = SUDA_ROOM_SETTINGS (object);

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_ROOM_SETTINGS);
  G_OBJECT_CLASS (suda_room_settings_parent_class)->dispose (object);
}

static void
suda_room_settings_finalize (GObject *object)
{
  SudaRoomSettings *self = SUDA_ROOM_SETTINGS (object);

  g_clear_pointer (&self->room, g_free);
  g_clear_pointer (&self->topic, g_free);
  g_clear_pointer (&self->modes.key, g_free);
  G_OBJECT_CLASS (suda_room_settings_parent_class)->finalize (object);
}

static void
suda_room_settings_class_init (SudaRoomSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_room_settings_dispose;
  object_class->finalize = suda_room_settings_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Suda/suda-room-settings.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaRoomSettings, apply_button);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomSettings, topic_row);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomSettings, invite_switch);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomSettings, key_row);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomSettings, limit_spin);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomSettings, moderated_switch);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomSettings, no_outside_switch);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomSettings, topic_lock_switch);
  gtk_widget_class_install_action (widget_class, "settings.apply", NULL, apply_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
suda_room_settings_init (SudaRoomSettings *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Until the server has told the room's modes, applying would guess. */
  gtk_widget_set_sensitive (self->apply_button, FALSE);
}

SudaRoomSettings *
suda_room_settings_new (GtkWindow      *parent,
                        SudaConnection *connection,
                        const char     *room,
                        const char     *topic)
{
  SudaRoomSettings *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (SUDA_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (room != NULL, NULL);

  self = g_object_new (SUDA_TYPE_ROOM_SETTINGS, "transient-for", parent, NULL);
  self->connection = g_object_ref (connection);
  self->room = g_strdup (room);
  self->topic = g_strdup (topic ? topic : "");
  title = g_strdup_printf (_("Settings of %s"), room);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_editable_set_text (GTK_EDITABLE (self->topic_row), self->topic);
  g_signal_connect (connection, "event", G_CALLBACK (event_cb), self);
  suda_connection_send_command (connection, "MODE", room, NULL);
  return self;
}
