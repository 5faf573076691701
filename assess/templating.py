"""Every filter, global and context value the templates use, registered in one place.

The helpers themselves live beside what they show (`public/helpers.py`, `staff/labels.py`, ...);
this module only names them for Jinja, so that a template's vocabulary reads on one screen."""

from flask import Flask
from flask_babel import format_date, format_number, get_locale
from flask_login import current_user

from . import organisation, rendering, staleness
from .auth import expiry
from .auth.forms import LogoutForm
from .diffing import word_diff
from .i18n import (
    LANGUAGE_NAMES,
    content_shown,
    country_name,
    current_zone,
    direction_of,
    lang_attributes,
    literal_list,
    reference_lang,
    reference_text,
    shows_original_language,
    text_direction,
    zoned_datetime,
)
from .language_urls import alternates, language_path
from .messages import notification_text
from .models import IndicatorRevision, Status
from .presentation import public_name, source_file_type, source_file_url
from .public import fragments
from .public import helpers as public
from .public.files import resource_download_name
from .services import uploads
from .services.permissions import is_admin, may_read, sees_dashboard
from .staff import audit_labels, labels, notifications, queues


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        markdown=rendering.render_markdown,
        country_name=country_name,
        reference_text=reference_text,
        text_dir=direction_of,
        status_label=rendering.status_label,
        status_icon=rendering.status_icon,
        date=format_date,
        number=format_number,
        datetime=zoned_datetime,
        # public pages
        count_statuses=public.count_statuses,
        language_name=public.language_name,
        web_link=public.web_link,
        file_size=public.file_size,
        # staff pages
        age=queues.age,
    )
    app.jinja_env.globals.update(
        instrument_label=rendering.instrument_label,
        statuses=list(Status),
        get_locale=get_locale,
        language_names=LANGUAGE_NAMES,
        text_direction=text_direction,
        language_path=language_path,
        language_alternates=alternates,
        literal_list=literal_list,
        current_zone=current_zone,
        notification_text=notification_text,
        content_lang=lang_attributes,
        reference_lang=reference_lang,
        shown=content_shown,
        shows_original_language=shows_original_language,
        word_diff=word_diff,
        # public pages
        organisation=organisation.current,
        public_name=public_name,
        permalink=public.permalink,
        citation_text=public.citation_text,
        citation_values_of=public.citation_values_of,
        map_size=public.map_size,
        cached_world_map=fragments.world_map,
        source_lines=public.source_lines,
        resource_download_name=resource_download_name,
        source_file_url=source_file_url,
        source_file_type=source_file_type,
        # staff and admin pages
        page_url=queues.page_url,
        version_url=queues.version_url,
        state_label=labels.state_label,
        state_icon=labels.state_icon,
        event_label=labels.event_label,
        unread_notification_count=notifications.unread_notification_count,
        upload_limit_mb=lambda: uploads.max_bytes() // (1024 * 1024),
        role_label=labels.role_label,
        change_label=labels.change_label,
        audit_label=audit_labels.audit_label,
        state_name=audit_labels.state_name,
        session_times=expiry.session_times,
        session_idle_duration=expiry.idle_duration,
        review_overdue=staleness.is_overdue,
        review_due=staleness.review_due,
        review_interval_days=lambda: staleness.interval().days,
    )

    @app.context_processor
    def signed_in_values():
        if not current_user.is_authenticated:
            return {
                "user_is_admin": False,
                "user_reads_framework": False,
                "user_sees_dashboard": False,
            }
        return {
            "logout_form": LogoutForm(formdata=None),
            "user_is_admin": is_admin(current_user),
            "user_reads_framework": may_read(current_user, IndicatorRevision, None),
            "user_sees_dashboard": sees_dashboard(current_user),
        }
