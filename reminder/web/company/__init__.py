"""The enterprise pages (zh-CN, no JavaScript build), under ``/``, ``/register`` and ``/c/{id}/…``.

pages.py          home, registration, the company page, profile, token rotation (router)
notifications.py  reminder offsets, digest, channels, test message (router, included by pages)
ical.py           the iCalendar feed (router, included by pages)
view.py           the read-only view link /v/{id} that messages and calendars carry (router, included by pages)
unsubscribe.py    one-click unsubscribe links (router, included by pages)
channels.py       a company's channels as a service (shared with the API)
forms.py          the profile form, labelled from the field registry
prefs.py          reminder offsets and digest as a service (shared with the API)
notice_list.py    open notices with their next deadline (shared with the API)
notice_page.py    one published notice: benefits, how to apply, contacts, attachments (router, included by pages)
facts.py          benefits and how to apply for cards and the API: top benefit, first step, sort by benefit
views.py          Chinese labels and texts for templates (verdicts, deadline kinds, days left)
mail.py           the management-link email
common.py         templates, the clock, the token cookie, HTML error pages
"""
