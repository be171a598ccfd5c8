# Status of a running delivery job, edited in place for the sender.
delivery-progress =
    <b>Sending…</b> { $sent } of { $total } delivered.
    Failed: { $failed } · Blocked the bot: { $blocked }
    Time remaining: about { $minutes } min { $seconds } s
delivery-report =
    <b>Delivery finished.</b> { $sent } of { $total } delivered.
    Failed: { $failed } · Blocked the bot: { $blocked } · Cancelled: { $cancelled } · Uncertain (interrupted, not resent): { $uncertain }
# Sent after the status message became the final report: an edit does not notify.
delivery-finished-notice = ✅ Delivery finished: the report is in the message above.
