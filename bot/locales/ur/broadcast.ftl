# /broadcast، /broadcasts، /webinars اور ویبینار نوٹس کے بٹن۔
broadcast-audience-choose = <b>نیا نوٹس۔</b> یہ کسے بھیجا جائے؟
broadcast-audience-everyone = سب کو
broadcast-audience-university = ایک یونیورسٹی
broadcast-audience-city = ایک شہر
broadcast-audience-role = ایک کردار
broadcast-audience-university-ask = یونیورسٹی کے نام کا کچھ حصہ لکھیں (مثلاً COMSATS یا پنجاب)، یا اس کا نمبر۔
broadcast-audience-university-pick = کون سی یونیورسٹی؟
broadcast-audience-city-ask = شہر کا نام بھیجیں، مثلاً <i>لاہور</i>۔
broadcast-audience-role-ask = کون سا کردار؟
broadcast-role-learner = طلبہ
broadcast-role-focal_person = فوکل پرسنز
broadcast-role-admin = { -programme-operator } عملہ
broadcast-text-ask = نوٹس کا متن بھیجیں۔ بولڈ، اٹالک اور لنکس ویسے ہی رہیں گے۔ روکنے کے لیے /cancel۔
broadcast-text-shorter-ask = نوٹس کا مختصر متن بھیجیں۔ آپ کی بھیجی ہوئی فائل، ویبینار کی تفصیل اور اردو متن محفوظ ہیں۔
broadcast-attachment-ask = تصویر یا پی ڈی ایف شامل کریں؟ ابھی بھیجیں، یا "چھوڑیں" دبائیں۔
broadcast-skip = چھوڑیں
broadcast-webinar-ask = کیا یہ ویبینار کا اعلان ہے؟
broadcast-yes = ہاں
broadcast-no = نہیں
broadcast-webinar-title-ask = ویبینار کا عنوان؟
broadcast-webinar-start-ask = یہ پاکستانی وقت کے مطابق کب شروع ہوگا؟ مثلاً <code>{ $example }</code>۔
broadcast-webinar-duration-ask = یہ کتنے منٹ کا ہے؟
broadcast-webinar-link-ask = شمولیت کا لنک (https://…)؟
broadcast-urdu-ask = نوٹس کا اردو متن بھیجیں، یا سب کو انگریزی بھیجنے کے لیے "چھوڑیں" دبائیں۔
broadcast-preview-intro = <b>پیش منظر</b>: طلبہ کو بالکل اوپر والا پیغام ملے گا۔
broadcast-preview-summary =
    وصول کنندگان کا گروہ: { $audience }
    وصول کنندگان: <b>{ $count }</b>
broadcast-send-now = ✅ ابھی بھیجیں
broadcast-schedule = 🕒 بعد میں بھیجیں
broadcast-cancel = ✖️ منسوخ کریں
broadcast-schedule-ask = یہ پاکستانی وقت کے مطابق کب بھیجا جائے؟ مثلاً <code>{ $example }</code>۔
broadcast-queued = <b>{ $count }</b> وصول کنندگان کے لیے قطار میں۔ یہ پیغام پیش رفت دکھائے گا۔
broadcast-scheduled = { $time } کے لیے <b>{ $count }</b> وصول کنندگان کو طے شدہ۔ تب تک آپ اسے منسوخ کر سکتے ہیں۔
broadcast-cancelled = نشریہ منسوخ کر دیا گیا۔
broadcast-discarded = ختم کر دیا گیا۔ کچھ نہیں بھیجا گیا۔
broadcast-send-text = براہ کرم نوٹس متن کے پیغام کے طور پر بھیجیں۔
broadcast-attachment-wrong = براہ کرم تصویر یا پی ڈی ایف فائل بھیجیں، یا "چھوڑیں" دبائیں۔
broadcast-audience-everyone-label = سب
broadcast-list-empty = ابھی تک کوئی نشریہ نہیں۔
broadcast-list-item = #{ $id } · { $state } · { $total } میں سے { $sent } بھیجے گئے · { $preview }
broadcast-list-scheduled = {"   "}🕒 { $time } کو بھیجا جائے گا
broadcast-webinar-block =
    <b>📅 { $title }</b>
    🕒 { $start } · { $duration } منٹ
    🔗 { $link }
broadcast-button-attend = ✋ میں شرکت کروں گا
broadcast-button-calendar = 📆 کیلنڈر میں شامل کریں
broadcast-rsvp-thanks = شکریہ! ہم آپ کو شروع ہونے سے 24 گھنٹے اور 1 گھنٹہ پہلے یاد دلائیں گے۔
broadcast-rsvp-thanks-1h = شکریہ! ہم آپ کو شروع ہونے سے 1 گھنٹہ پہلے یاد دلائیں گے۔
broadcast-rsvp-thanks-soon = شکریہ! یہ جلد شروع ہو رہا ہے: شامل ہونے کا لنک اوپر والے اعلان میں ہے۔
broadcast-rsvp-already = آپ پہلے ہی شرکت کا بتا چکے ہیں۔
broadcast-reminder-24h =
    ⏰ <b>کل:</b> { $title }
    آغاز { $start }۔
    شمولیت: { $link }
broadcast-reminder-1h =
    ⏰ <b>ایک گھنٹے میں:</b> { $title }
    آغاز { $start }۔
    شمولیت: { $link }
webinars-empty = کوئی آنے والا ویبینار نہیں۔
webinars-item =
    <b>{ $title }</b>
    { $start } · شرکت کی تصدیقیں: <b>{ $rsvps }</b>
broadcast-error-empty = نوٹس خالی ہے۔ براہ کرم کچھ متن بھیجیں۔
broadcast-error-too-long = نوٹس اپنی تمام تفصیلات کے ساتھ { $length } حروف کا بنتا ہے، جبکہ ایک پیغام میں زیادہ سے زیادہ { $limit } حروف آ سکتے ہیں۔ براہ کرم اسے مختصر کریں۔
broadcast-error-caption-too-long = تصویر یا پی ڈی ایف کے ساتھ نوٹس { $length } حروف کا بنتا ہے، جبکہ اس کے ساتھ زیادہ سے زیادہ { $limit } حروف آ سکتے ہیں۔ براہ کرم اسے مختصر کریں۔
broadcast-error-start-past = یہ وقت گزر چکا ہے۔ براہ کرم مستقبل کا وقت دیں (پاکستانی وقت)۔
broadcast-error-start-format = میں یہ وقت نہیں پڑھ سکا۔ براہ کرم ایسے لکھیں: <code>YYYY-MM-DD HH:MM</code> (پاکستانی وقت)۔
broadcast-error-link = یہ درست لنک نہیں۔ براہ کرم مکمل https:// پتہ بھیجیں۔
broadcast-error-duration = براہ کرم دورانیہ منٹوں میں بھیجیں، 5 سے 720 کے درمیان۔
broadcast-error-title = براہ کرم زیادہ سے زیادہ 200 حروف کا عنوان بھیجیں۔
broadcast-error-attachment = منسلک فائل استعمال نہیں ہو سکتی۔ براہ کرم تصویر یا پی ڈی ایف بھیجیں۔
broadcast-error-audience = میں یہ گروہ نہیں سمجھ سکا۔
broadcast-no-recipients = یہ نوٹس کسی کو نہیں پہنچے گا: { $audience } کا کوئی طالب علم ابھی بوٹ پر نہیں (وصول کنندگان بھیجتے وقت گنے جاتے ہیں)۔ اسے منسوخ کریں، اور طلبہ کے شامل ہونے پر بھیجیں۔
broadcast-error-no-recipients = یہ نوٹس کسی کو نہیں پہنچے گا: اس گروہ کا کوئی طالب علم ابھی بوٹ پر نہیں۔
broadcast-error-university = اس نام یا نمبر کی کوئی یونیورسٹی نہیں ملی۔ براہ کرم نام کا کوئی اور حصہ یا اس کا مختصر نام لکھیں (مثلاً UCP)۔
broadcast-error-city-unknown = مجھے ابھی اس شہر کی یونیورسٹیوں کا علم نہیں۔
broadcast-error-not-cancellable = یہ نشریہ شروع یا مکمل ہو چکا ہے؛ اسے منسوخ نہیں کیا جا سکتا۔
broadcast-error-schedule-after-start = نوٹس ویبینار شروع ہونے سے پہلے جانا چاہیے۔
broadcast-error-webinar-over = یہ ویبینار ختم ہو چکا ہے۔
webinars-by-university = یونیورسٹی کے لحاظ سے: { $counts }
broadcast-preview-cost = بھیجنے کا وقت: عام رفتار سے تقریباً { $free_time }؛ فوری ادا شدہ براڈکاسٹ کے طور پر { $paid_time } ({ $stars } ٹیلیگرام اسٹارز)۔
broadcast-send-paid = ⚡ فوری: ابھی ادا شدہ بھیجیں ({ $stars } ⭐)
