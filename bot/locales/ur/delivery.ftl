# بھیجنے کے کام کی صورتحال، بھیجنے والے کے لیے اسی پیغام میں تازہ کی جاتی ہے۔
delivery-progress =
    <b>بھیجا جا رہا ہے…</b> { $total } میں سے { $sent } پہنچ گئے۔
    ناکام: { $failed } · بوٹ کو بلاک کیا: { $blocked }
    باقی وقت: تقریباً { $minutes } منٹ { $seconds } سیکنڈ
delivery-report =
    <b>ترسیل مکمل۔</b> { $total } میں سے { $sent } پہنچ گئے۔
    ناکام: { $failed } · بوٹ کو بلاک کیا: { $blocked } · منسوخ: { $cancelled } · غیر یقینی (رکاوٹ، دوبارہ نہیں بھیجا): { $uncertain }
# Sent after the status message became the final report: an edit does not notify.
delivery-finished-notice = ✅ ترسیل مکمل ہو گئی: تفصیل اوپر والے پیغام میں ہے۔
