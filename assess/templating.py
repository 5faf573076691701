"""Every filter, global and context value the templates use, registered in one place.

The helpers themselves live beside what they show (`public/helpers.py`, `staff/labels.py`, ...);
this module only names them for Jinja, so that a template's vocabulary reads on one screen."""

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from . import rendering
from .auth.forms import LogoutForm
from .diffing import word_diff
from .i18n import LANGUAGE_NAMES, country_name, reference_text
from .models import Status
from .presentation import public_name
from .public import fragments
from .public import helpers as public
from .public.files import resource_download_name
from .services import uploads
from .services.permissions import is_admin
from .staff import labels, notifications, queues


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        markdown=rendering.render_markdown,
        country_name=country_name,
        reference_text=reference_text,
        status_label=rendering.status_label,
        status_icon=rendering.status_icon,
        date=format_date,
        datetime=format_datetime,
        # public pages
        count_statuses=public.count_statuses,
        language_name=public.language_name,
        web_link=public.web_link,
        # staff pages
        age=queues.age,
    )
    app.jinja_env.globals.update(
        instrument_label=rendering.instrument_label,
        statuses=list(Status),
        get_locale=get_locale,
        language_names=LANGUAGE_NAMES,
        word_diff=word_diff,
        # public pages
        public_name=public_name,
        permalink=public.permalink,
        citation_text=public.citation_text,
        citation_values_of=public.citation_values_of,
        map_size=public.map_size,
        cached_world_map=fragments.world_map,
        source_lines=public.source_lines,
        resource_download_name=resource_download_name,
        # staff and admin pages
        page_url=queues.page_url,
        version_url=queues.version_url,
        state_label=labels.state_label,
        state_icon=labels.state_icon,
        event_label=labels.event_label,
        unread_notification_count=notifications.unread_notification_count,
        upload_limit_mb=lambda: uploads.max_bytes() // (1024 * 1024),
    )

    @app.context_processor
    def signed_in_values():
        if not current_user.is_authenticated:
            return {"user_is_admin": False}
        return {"logout_form": LogoutForm(formdata=None), "user_is_admin": is_admin(current_user)}
