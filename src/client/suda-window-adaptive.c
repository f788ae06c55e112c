/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A narrow window (a phone, a tiled half screen): below NARROW_WIDTH the
 * sidebar and the member list fold and slide over the history on demand,
 * and the connect form stacks its fields.  libadwaita 1.2 has no
 * breakpoints, so the width is watched on the window's surface. */
#include "config.h"

#include <string.h>

#include "suda-window-private.h"

/* Where GNOME's adaptive apps fold: a sidebar, a history and a member
 * list do not share less than this. */
#define NARROW_WIDTH 600

/* The member list shows for a room, when asked for. */
void
_suda_window_update_members (SudaWindow *self)
{
  gboolean room = self->shown && suda_conversation_get_kind (self->shown) == SUDA_CONVERSATION_ROOM;

  adw_flap_set_reveal_flap (self->members_flap, self->show_members && room);
}

/* Closing a folded member list by a swipe is the same as the button. */
static void
members_revealed_cb (AdwFlap    *flap,
                     GParamSpec *pspec,
                     SudaWindow *self)
{
  gboolean room = self->shown && suda_conversation_get_kind (self->shown) == SUDA_CONVERSATION_ROOM;

  if (room && adw_flap_get_folded (flap) && !adw_flap_get_reveal_flap (flap))
    g_object_set (self, "show-members", FALSE, NULL);
}

/* Folding hides what would cover the history; unfolding brings back
 * what was there before. */
static void
flap_folded_cb (AdwFlap    *flap,
                GParamSpec *pspec,
                SudaWindow *self)
{
  gboolean folded = adw_flap_get_folded (flap);

  if (flap == self->sidebar_flap)
    {
      adw_flap_set_reveal_flap (flap, !folded);
      return;
    }
  if (folded)
    {
      self->members_unfolded = self->show_members;
      g_object_set (self, "show-members", FALSE, NULL);
    }
  else
    g_object_set (self, "show-members", self->members_unfolded, NULL);
}

/* Stacked, the form would take half a phone's screen: once connected it
 * steps aside, and the main menu's Disconnect remains. */
void
_suda_window_update_form (SudaWindow *self)
{
  SudaConnection *connection = suda_window_get_connection (self);
  gboolean disconnected = connection == NULL ||
                          suda_connection_get_state (connection) == SUDA_CONNECTION_DISCONNECTED;

  gtk_widget_set_visible (self->connect_form, !self->narrow || disconnected);
}

/* The desktop's button layout with only its close button kept, where
 * it was: a phone-wide window is maximised anyway, and minimise and
 * maximise would push the title and the menu out of a 360 px header. */
static char *
dup_close_only_layout (SudaWindow *self)
{
  g_autofree char *layout = NULL;
  g_auto(GStrv) sides = NULL;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-decoration-layout", &layout, NULL);
  sides = g_strsplit (layout ? layout : ":close", ":", 2);
  for (guint i = 0; sides[i]; i++)
    {
      gboolean close = strstr (sides[i], "close") != NULL;

      g_free (sides[i]);
      sides[i] = g_strdup (close ? "close" : "");
    }
  return g_strjoinv (":", sides);
}

static void
set_narrow (SudaWindow *self,
            gboolean    narrow)
{
  AdwFlapFoldPolicy policy = narrow ? ADW_FLAP_FOLD_POLICY_ALWAYS : ADW_FLAP_FOLD_POLICY_AUTO;

  self->narrow = narrow;
  adw_flap_set_fold_policy (self->sidebar_flap, policy);
  adw_flap_set_fold_policy (self->members_flap, policy);
  /* The header bar keeps what has no other way in: search is in the
   * menu and on Ctrl+F. */
  gtk_widget_set_visible (self->find_button, !narrow);
  if (narrow)
    {
      g_autofree char *layout = dup_close_only_layout (self);

      adw_header_bar_set_decoration_layout (self->header_bar, layout);
    }
  else
    adw_header_bar_set_decoration_layout (self->header_bar, NULL);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->connect_form),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  _suda_window_update_form (self);
}

static void
width_changed (SudaWindow *self,
               int         width)
{
  if (width > 0 && (width < NARROW_WIDTH) != self->narrow)
    set_narrow (self, width < NARROW_WIDTH);
}

static void
surface_width_cb (GdkSurface *surface,
                  GParamSpec *pspec,
                  SudaWindow *self)
{
  width_changed (self, gdk_surface_get_width (surface));
}

/* Before the window is on screen its default width is all there is. */
static void
default_width_cb (SudaWindow *self,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  int width, height;

  if (gtk_widget_get_realized (GTK_WIDGET (self)))
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  width_changed (self, width);
}

static void
realize_cb (SudaWindow *self,
            gpointer    user_data)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));

  g_signal_connect_object (surface, "notify::width", G_CALLBACK (surface_width_cb), self, 0);
}

void
_suda_window_adaptive_init (SudaWindow *self)
{
  /* Folded or not, the window may shrink to a phone's width; the form's
   * row of fields decides its minimum while it is a row. */
  adw_flap_set_fold_policy (self->sidebar_flap, ADW_FLAP_FOLD_POLICY_AUTO);
  adw_flap_set_fold_policy (self->members_flap, ADW_FLAP_FOLD_POLICY_AUTO);
  self->members_unfolded = TRUE;
  g_signal_connect (self, "notify::default-width", G_CALLBACK (default_width_cb), NULL);
  g_signal_connect (self, "realize", G_CALLBACK (realize_cb), NULL);
}

void
_suda_window_adaptive_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, members_revealed_cb);
  gtk_widget_class_bind_template_callback (widget_class, flap_folded_cb);
}
