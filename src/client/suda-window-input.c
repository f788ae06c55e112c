/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The message entry: sending (and asking first for a long paste), nick
 * completion with Tab, and recalling what was sent with Up and Down. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-irc-message.h"
#include "suda-window-private.h"

/* More lines than this in one send asks first: a paste meant for a file
 * should not flood a room by accident. */
#define PASTE_CONFIRM_LINES 5
#define INPUT_HISTORY_MAX 100

static char *
dup_input (SudaWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
_suda_window_set_input (SudaWindow *self,
                        const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  GtkTextIter end;

  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
}

static void
do_send (SudaWindow *self,
         const char *text)
{
  if (self->sent->len == 0 ||
      g_strcmp0 (g_ptr_array_index (self->sent, self->sent->len - 1), text) != 0)
    g_ptr_array_add (self->sent, g_strdup (text));
  if (self->sent->len > INPUT_HISTORY_MAX)
    g_ptr_array_remove_index (self->sent, 0);
  self->recall = -1;
  _suda_window_set_input (self, "");
  _suda_window_set_sticks (self, TRUE);
  suda_client_submit (self->client, self->shown, text);
  _suda_window_scroll_to_end (self);
}

static void
many_lines_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        SudaWindow       *self)
{
  const char *text = g_object_get_data (G_OBJECT (dialog), "text");

  if (g_strcmp0 (response, "send") == 0)
    do_send (self, text);
}

static guint
count_lines (const char *text)
{
  guint n = 0;
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (*g_strstrip (lines[i]) != '\0')
      n++;
  return n;
}

static void
ask_to_send (SudaWindow *self,
             char       *text,
             guint       n_lines)
{
  AdwMessageDialog *dialog;
  g_autofree char *heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Send %u line?",
                                                           "Send %u lines?", n_lines), n_lines);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
    _("Each line goes out as a message of its own.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "send", _("_Send"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "send");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "text", text, g_free);
  /* The dialog is made here, not in a template: the window is its
   * transient parent and outlives it. */
  g_signal_connect_object (dialog, "response", G_CALLBACK (many_lines_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_suda_window_send_input (SudaWindow *self)
{
  g_autofree char *text = dup_input (self);
  guint n_lines = count_lines (text);

  if (n_lines == 0)
    return;
  if (n_lines > PASTE_CONFIRM_LINES)
    ask_to_send (self, g_steal_pointer (&text), n_lines);
  else
    do_send (self, text);
}

/* Nick completion */

/* g_ptr_array_sort() hands over pointers to the elements. */
static gint
compare_nick_ptrs (gconstpointer a,
                   gconstpointer b)
{
  return suda_irc_casecmp (*(const char **) a, *(const char **) b);
}

static void
reset_completion (SudaWindow *self)
{
  g_clear_pointer (&self->completion_prefix, g_free);
  self->completion_index = 0;
}

/* The start of the word that ends at CURSOR, becoming the prefix that a
 * round of Tab presses completes; FALSE when there is no word. */
static gboolean
start_completion (SudaWindow  *self,
                  GtkTextIter *cursor,
                  GtkTextIter *start)
{
  g_autofree char *word = NULL;

  *start = *cursor;
  while (!gtk_text_iter_starts_line (start))
    {
      GtkTextIter prev = *start;

      gtk_text_iter_backward_char (&prev);
      if (g_unichar_isspace (gtk_text_iter_get_char (&prev)))
        break;
      *start = prev;
    }
  word = gtk_text_iter_get_text (start, cursor);
  if (*word == '\0')
    return FALSE;
  self->completion_prefix = g_steal_pointer (&word);
  self->completion_start = gtk_text_iter_get_offset (start);
  self->completion_index = 0;
  return TRUE;
}

/* The room's nicknames that start with the prefix, sorted; they point into NICKS. */
static GPtrArray *
match_nicks (SudaWindow *self,
             char      **nicks)
{
  GPtrArray *matches = g_ptr_array_new ();
  g_autofree char *folded_prefix = suda_irc_casefold (self->completion_prefix);

  for (guint i = 0; nicks[i]; i++)
    {
      g_autofree char *folded = suda_irc_casefold (nicks[i]);

      if (g_str_has_prefix (folded, folded_prefix))
        g_ptr_array_add (matches, nicks[i]);
    }
  g_ptr_array_sort (matches, compare_nick_ptrs);
  return matches;
}

/* Tab: the word before the cursor becomes the next nickname of the room
 * that starts with it; Tab again cycles through the others. */
static void
complete_nick (SudaWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  g_auto(GStrv) nicks = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autofree char *replacement = NULL;
  GtkTextIter cursor, start;
  const char *choice;

  if (self->shown == NULL)
    return;
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  if (self->completion_prefix != NULL)
    gtk_text_buffer_get_iter_at_offset (buffer, &start, self->completion_start);
  else if (!start_completion (self, &cursor, &start))
    return;

  nicks = suda_conversation_dup_member_nicks (self->shown);
  matches = match_nicks (self, nicks);
  if (matches->len == 0)
    {
      reset_completion (self);
      gtk_widget_error_bell (GTK_WIDGET (self->input_view));
      return;
    }
  choice = g_ptr_array_index (matches, self->completion_index % matches->len);
  self->completion_index++;
  /* At the start of a line a nickname addresses someone: "bob: ". */
  replacement = g_strconcat (choice, self->completion_start == 0 ? ": " : " ", NULL);
  self->completing = TRUE;
  gtk_text_buffer_delete (buffer, &start, &cursor);
  gtk_text_buffer_insert (buffer, &start, replacement, -1);
  self->completing = FALSE;
}

/* Any edit but our own ends a round of Tab presses. */
static void
input_changed_cb (GtkTextBuffer *buffer,
                  SudaWindow    *self)
{
  if (!self->completing)
    reset_completion (self);
}

/* Recalling what was sent */

static gboolean
recall_older (SudaWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  GtkTextIter cursor;

  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  if (gtk_text_iter_get_line (&cursor) != 0 || self->sent->len == 0)
    return FALSE;
  if (self->recall < 0)
    self->recall = self->sent->len;
  if (self->recall > 0)
    self->recall--;
  _suda_window_set_input (self, g_ptr_array_index (self->sent, self->recall));
  return TRUE;
}

static gboolean
recall_newer (SudaWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  GtkTextIter cursor;

  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  if (self->recall < 0 || gtk_text_iter_get_line (&cursor) != gtk_text_buffer_get_line_count (buffer) - 1)
    return FALSE;
  self->recall++;
  if ((guint) self->recall >= self->sent->len)
    {
      self->recall = -1;
      _suda_window_set_input (self, "");
    }
  else
    _suda_window_set_input (self, g_ptr_array_index (self->sent, self->recall));
  return TRUE;
}

static gboolean
input_key_pressed_cb (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      SudaWindow            *self)
{
  if (keyval != GDK_KEY_Tab && keyval != GDK_KEY_ISO_Left_Tab)
    reset_completion (self);

  switch (keyval)
    {
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      if (state & GDK_SHIFT_MASK)
        return FALSE;   /* the text view makes a new line */
      gtk_widget_activate_action (GTK_WIDGET (self), "win.send", NULL);
      return TRUE;

    case GDK_KEY_Tab:
      complete_nick (self);
      return TRUE;

    case GDK_KEY_Up:
      return recall_older (self);

    case GDK_KEY_Down:
      return recall_newer (self);

    default:
      return FALSE;
    }
}

void
_suda_window_input_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, input_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, input_key_pressed_cb);
}
