/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-console-accounts.h"
#include "suda-console-cluster.h"
#include "suda-console-window.h"
#include "suda-live-log-view.h"
#include "suda-live-log.h"
#include "suda-server-host.h"
#include "suda-user-row.h"

G_BEGIN_DECLS

/* The window is split by concern: suda-console-window.c holds the server,
 * the fields and the live log, suda-console-window-users.c the users.  The
 * server itself runs on a thread of its own (SudaServerHost): the window
 * reads the host's copy of its state and sends it commands, nothing else. */
struct _SudaConsoleWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkWidget            *start_button;
  GtkWidget            *stop_button;
  GtkLabel             *status_label;
  GtkWidget            *web_box;
  GtkLabel             *web_label;
  GtkWidget            *tls_box;
  GtkLabel             *tls_label;
  GtkLabel             *error_label;
  GtkLabel             *log_failing_label;
  GtkLabel             *ai_label;
  GtkWidget            *settings_group;
  AdwEntryRow          *address_row;
  GtkSpinButton        *port_spin;
  GtkSpinButton        *max_clients_spin;
  AdwEntryRow          *name_row;
  AdwEntryRow          *password_row;
  AdwActionRow         *log_row;
  GtkSearchEntry       *log_search;
  GtkDropDown          *log_event_dropdown;
  GtkWidget            *log_older_bar;
  GtkLabel             *log_older_label;
  AdwViewStack         *view_stack;
  SudaLiveLogView      *log_view;
  GtkWidget            *users_box;
  GtkColumnView        *users_view;
  GtkLabel             *users_label;
  GtkWidget            *accounts_page;
  SudaConsoleCluster   *cluster_page;
  GMenuModel           *user_menu;

  GSettings            *settings;
  SudaServerHost       *host;
  SudaServerConfig     *base_config;  /* --config FILE, or NULL */
  SudaLiveLog          *live_log;
  GtkCustomFilter      *log_filter;
  char                 *log_needle;   /* case-folded search text, or NULL */
  GtkSingleSelection   *users_selection;
  GtkWidget            *user_popover;
  GtkFileChooserNative *chooser;
  GtkWidget            *preferences;  /* weak */
  gboolean              close_confirmed;
  gint64                frame_started;  /* monotonic usec, 0 between frames */
  gint64                batch_took;     /* usec the last live-log batch took, frames since included */
  gint64                frame_cost;     /* usec a batch and its frames take, smoothed */
  guint                 batch_frames;   /* frames drawn since the last batch */
};

gboolean     _suda_console_window_is_running       (SudaConsoleWindow *self);
SudaUserRow *_suda_console_window_selected_user    (SudaConsoleWindow *self);
void         _suda_console_window_update_state     (SudaConsoleWindow *self);
void         _suda_console_window_toast            (SudaConsoleWindow *self,
                                                    const char        *text);
char        *_suda_console_format_moment           (GDateTime         *moment);
char        *_suda_console_dup_page_url            (const char        *url);
char        *_suda_console_window_dup_page_url     (SudaConsoleWindow *self);
void         _suda_console_window_users_class_init (GtkWidgetClass    *widget_class);
void         _suda_console_window_setup_users      (SudaConsoleWindow *self);

G_END_DECLS
