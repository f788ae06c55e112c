/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-throttled-list.h"
#include "suda-window.h"

G_BEGIN_DECLS

/* The window is split by concern, over one struct:
 *   suda-window.c         the object, the connection's state, the shown conversation
 *   suda-window-actions.c the win.* actions and the connect form
 *   suda-window-input.c   the message entry: send, paste check, Tab, Up/Down
 *   suda-window-search.c  searching the history, jumping to a conversation
 *   suda-window-scroll.c  keeping the history at its end
 *   suda-window-lists.c   the rows of the three lists, the member list
 *   suda-window-adaptive.c folding the sidebar and members in a narrow window
 *   suda-window-servers.c the servers kept in GSettings and restored at start
 *   suda-window-lan.c     chats on this network, invite links pasted in the form
 * Signals of the template's widgets are connected in suda-window.ui. */
struct _SudaWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwHeaderBar         *header_bar;
  AdwWindowTitle       *window_title;
  GtkWidget            *status_dot;
  GtkWidget            *find_button;
  GtkWidget            *sidebar_button;
  GtkWidget            *connect_form;
  GtkEntry             *server_entry;
  GtkSpinButton        *port_spin;
  GtkEntry             *nick_entry;
  GtkWidget            *password_entry;
  GtkSwitch            *tls_switch;
  GtkWidget            *account_button;
  GtkCheckButton       *account_nick_check;
  GtkEntry             *account_entry;
  GtkWidget            *account_password_entry;
  GtkMenuButton        *tls_button;
  GtkLabel             *tls_details;
  GtkWidget            *connect_button;
  GtkWidget            *disconnect_button;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  AdwFlap              *sidebar_flap;
  GtkWidget            *sidebar;
  GtkListView          *conversation_list;
  GtkLabel             *topic_label;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkLabel             *search_status;
  GtkScrolledWindow    *history_scroller;
  GtkListView          *history_list;
  GtkWidget            *jump_button;
  GtkWidget            *older_indicator;
  GtkTextView          *input_view;
  AdwFlap              *members_flap;
  GtkLabel             *members_heading;
  GtkListView          *member_list;
  GtkPopover           *jump_popover;
  GtkPopover           *member_popover;
  GtkPopover           *format_popover;
  GtkGrid              *format_colors;
  GtkSearchEntry       *jump_entry;
  AdwToastOverlay      *toast_overlay;

  /* Template objects: the lists' selections, whose models change */
  GtkSingleSelection   *conversation_selection;
  GtkSingleSelection   *history_selection;
  GtkNoSelection       *member_selection;

  /* Owned */
  GSettings            *settings;
  SudaClient           *client;            /* the shown conversation's server */
  GListStore           *clients;           /* every server of the window */
  GListStore           *client_conversations; /* their conversation lists */
  SudaConversation     *shown;            /* the conversation in the history view */
  SudaThrottledList    *history;          /* what the view shows of it */
  guint                 follow_id;

  /* State */
  gboolean              reconnecting;      /* lost, and not signed in since */
  gboolean              show_members;
  gboolean              narrow;           /* below NARROW_WIDTH: everything folds */
  gboolean              members_unfolded; /* show_members before the fold hid them */
  gboolean              dark;
  gboolean              show_colors;
  gboolean              sticks_to_bottom;
  double                last_scroll_value;
  GPtrArray            *sent;             /* what was sent, for Up */
  gint                  recall;           /* index into sent while recalling, or -1 */
  char                 *completion_prefix;
  guint                 completion_index;
  gint                  completion_start; /* offset of the word being completed */
  gboolean              completing;
  gint                  search_position;
  char                 *menu_nick;        /* whom the member menu is about */
  gboolean              cleartext_confirmed; /* the person said yes for the next connect */
  char                 *registering_password; /* REGISTER sent, to keep once it is done */
  GCancellable         *secrets_cancellable;
  GtkWindow            *room_list;        /* the open room browser (weak), or NULL */
  guint                 servers_save_id;  /* the "servers" setting to write */
  gboolean              servers_frozen;   /* closing: the setting stays as it was */
};

/* suda-window-files.c: dropping and pasting files to share */
void     _suda_window_files_init          (SudaWindow     *self);
void     _suda_window_files_trust         (SudaWindow     *self);
void     _suda_window_share               (SudaWindow     *self,
                                           GBytes         *data,
                                           const char     *name,
                                           GdkTexture     *preview);
void     _suda_window_share_file          (SudaWindow     *self,
                                           GFile          *file);

/* suda-window.c */
void     _suda_window_show_error          (SudaWindow     *self,
                                           const char     *message);
void     _suda_window_hide_error          (SudaWindow     *self);
SudaClient *_suda_window_client_of        (SudaWindow       *self,
                                           SudaConversation *conversation);
SudaClient *_suda_window_find_server      (SudaWindow     *self,
                                           const char     *host,
                                           guint16         port);

/* suda-window-actions.c */
void     _suda_window_actions_class_init  (GtkWidgetClass *widget_class);
void     _suda_window_actions_init        (SudaWindow     *self);
void     _suda_window_bind_style          (SudaWindow     *self);
void     _suda_window_update_actions      (SudaWindow     *self,
                                           gboolean        disconnected);
void     _suda_window_show_room_list      (SudaWindow     *self,
                                           SudaClient     *client);

/* suda-window-input.c */
void     _suda_window_input_class_init    (GtkWidgetClass *widget_class);
void     _suda_window_send_input          (SudaWindow     *self);
void     _suda_window_set_input           (SudaWindow     *self,
                                           const char     *text);

/* suda-window-search.c */
void     _suda_window_search_class_init   (GtkWidgetClass *widget_class);
void     _suda_window_open_search         (SudaWindow     *self);
void     _suda_window_close_search        (SudaWindow     *self);
void     _suda_window_open_jump           (SudaWindow     *self);

/* suda-window-tls.c */
void     _suda_window_tls_class_init      (GtkWidgetClass *widget_class);
void     _suda_window_tls_bind            (SudaWindow     *self);
void     _suda_window_tls_watch           (SudaWindow     *self,
                                           SudaConnection *connection);
void     _suda_window_tls_update          (SudaWindow     *self);
void     _suda_window_tls_dispose         (SudaWindow     *self);
/* Before connecting: TRUE to go on, FALSE when the person is asked first
 * (the answer connects again). */
gboolean _suda_window_prepare_connect     (SudaWindow     *self,
                                           const char     *host,
                                           const char     *nick,
                                           const char     *password);

/* suda-window-scroll.c */
void     _suda_window_scroll_class_init   (GtkWidgetClass *widget_class);
void     _suda_window_scroll_to_end       (SudaWindow     *self);
void     _suda_window_set_sticks          (SudaWindow     *self,
                                           gboolean        sticks);
void     _suda_window_note_read           (SudaWindow     *self);
void     _suda_window_reveal_marker       (SudaWindow     *self);

/* suda-window-adaptive.c */
void     _suda_window_adaptive_class_init (GtkWidgetClass *widget_class);
void     _suda_window_adaptive_init       (SudaWindow     *self);
void     _suda_window_update_members      (SudaWindow     *self);
void     _suda_window_update_form         (SudaWindow     *self);

/* suda-window-servers.c */
void     _suda_window_servers_init        (SudaWindow     *self);
void     _suda_window_lan_init            (SudaWindow     *self);
void     _suda_window_servers_watch       (SudaWindow     *self,
                                           SudaClient     *client);
void     _suda_window_servers_save        (SudaWindow     *self);
void     _suda_window_servers_freeze      (SudaWindow     *self);

/* suda-window-lists.c */
void     _suda_window_lists_class_init    (GtkWidgetClass *widget_class);
void     _suda_window_popup_member_menu   (SudaWindow     *self,
                                           GtkWidget      *row,
                                           const char     *nick,
                                           double          x,
                                           double          y);

G_END_DECLS
