"""Notifications: channels behind one protocol, message rendering, reminder planning, the outbox and its dispatcher.

    base.py        Message, SendResult, Channel protocol
    links.py       company page and signed unsubscribe URLs
    channels/      email, wecom (企业微信), dingtalk (钉钉), feishu (飞书), webhook (Standard Webhooks)
    render.py      Jinja2 templates → Message
    planning.py    (company, deadline, verdict, now) → planned reminders (pure)
    payloads.py    rows → the JSON payload frozen into each reminder
    outbox.py      reminders as rows: plan, cancel, claim, record attempts
    dispatcher.py  claim due rows, send, retry with backoff

The scheduler that runs the dispatcher, digests and sweep is ``reminder.scheduler``; the commands
(``reminder worker``, ``dispatch``, ``reminders``) are in ``reminder.cli``.
"""
