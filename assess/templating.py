from flask import Flask
from flask_babel import format_date, format_number, get_locale
from flask_login import current_user

from . import rendering
from .auth.forms import LogoutForm
from .i18n import (
    LANGUAGE_NAMES,
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
from .models import Status


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
        shows_original_language=shows_original_language,
    )

    @app.context_processor
    def inject_user_forms():
        if current_user.is_authenticated:
            return {"logout_form": LogoutForm(formdata=None)}
        return {}
