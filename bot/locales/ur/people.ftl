# لوگ: آغاز، کردار، سوالات، عمومی سوالات، جائزہ، صارف کے حقوق۔ وہی کلیدیں جو en/people.ftl میں ہیں۔

## Onboarding
privacy-notice =
    <b>{ -programme-name } معاون میں خوش آمدید!</b>

    <b>پہلے رازداری۔</b> آپ کی منظوری سے پہلے میں آپ کی ٹیلی گرام آئی ڈی کے سوا کچھ محفوظ نہیں کرتا۔
    منظوری کے بعد میں محفوظ کرتا ہوں: آپ کی زبان، آپ طالب علم، استاد یا سابق طالب علم ہیں، آپ کی یونیورسٹی، اور آپ کے سوالات میرے جوابات کے ساتھ۔ { -programme-operator } یہ سوالات، نام کے بغیر، پروگرام کے قواعد اور رہنمائی بہتر بنانے کے لیے استعمال کرتا ہے۔ آپ کا فون نمبر اور نام کبھی محفوظ نہیں ہوتا۔
    آپ کا فوکل پرسن کوئی سوال صرف اس وقت دیکھتا ہے جب آپ خود اسے بھیجیں۔
    /mydata سے آپ اپنے بارے میں محفوظ سب کچھ دیکھ سکتے ہیں اور /forget سے کسی بھی وقت مٹا سکتے ہیں۔ /privacy یہ نوٹس دوبارہ دکھاتا ہے۔
privacy-notice-again =
    <b>رازداری کا نوٹس</b>
    میں آپ کی زبان، آپ طالب علم، استاد یا سابق طالب علم ہیں، آپ کی یونیورسٹی، اور آپ کے سوالات میرے جوابات کے ساتھ محفوظ کرتا ہوں۔ { -programme-operator } یہ سوالات، نام کے بغیر، پروگرام بہتر بنانے کے لیے استعمال کرتا ہے۔ آپ کا فون نمبر اور نام کبھی محفوظ نہیں ہوتا۔ کوئی سوال آپ کے فوکل پرسن تک صرف اسی وقت پہنچتا ہے جب آپ اسے بھیجیں۔
    /mydata آپ کو آپ کا تمام محفوظ ڈیٹا بھیجتا ہے؛ /forget اسے مٹا دیتا ہے۔
onboarding-privacy-accept = ✅ میں متفق ہوں، آگے چلیں
onboarding-language = Choose your language / اپنی زبان منتخب کریں:
onboarding-kind = آپ کون ہیں؟
kind-student = طالب علم
kind-faculty = استاد / فیکلٹی
kind-alumni = سابق طالب علم
onboarding-university = اپنی یونیورسٹی کے نام کا کچھ حصہ لکھیں، مثلاً <i>COMSATS</i> یا <i>پنجاب</i>۔
onboarding-university-pick = ان میں سے آپ کی یونیورسٹی کون سی ہے؟
onboarding-university-none = ✏️ ان میں سے کوئی نہیں، دوبارہ لکھتا ہوں
onboarding-university-not-found = اس نام کی کوئی یونیورسٹی نہیں ملی۔ براہ کرم نام کا کوئی اور حصہ یا مختصر نام لکھیں (مثلاً <i>UCP</i>)۔
onboarding-university-again = براہ کرم اپنی یونیورسٹی کا نام دوبارہ لکھیں۔
onboarding-done =
    سب تیار ہے: { $university }۔
    { $example ->
        [none] پروگرام کے بارے میں کچھ بھی پوچھیں۔
       *[other] پروگرام کے بارے میں کچھ بھی پوچھیں، مثلاً: <i>{ $example }</i>
    }
onboarding-done-staff = سب تیار ہے۔ طلبہ کے سوالات یہاں ٹکٹ کی صورت میں آئیں گے: جواب دینے کے لیے ٹکٹ کا جواب (reply) دیں، یا کھلے ٹکٹ دیکھنے کے لیے /tickets بھیجیں۔ تمام کمانڈز کے لیے /help لکھیں۔
onboarding-welcome-back = خوش آمدید! پروگرام کے بارے میں کچھ بھی پوچھیں، یا /help لکھیں۔
onboarding-finish-first = پہلے ابتدائی مراحل مکمل کر لیں؛ بس چند سیکنڈ لگیں گے۔
invite-accepted = اب آپ <b>{ $university }</b> کے فوکل پرسن ہیں۔ آگے کیا کرنا ہے: نیچے رازداری کا نوٹس قبول کریں؛ پھر آپ کی یونیورسٹی کے طلبہ کے سوالات یہاں ٹکٹ کی صورت میں آئیں گے۔ جواب دینے کے لیے ٹکٹ کا جواب (reply) دیں (یا /tickets استعمال کریں)؛ /broadcast سے اپنے طلبہ کو اطلاع بھیجیں اور /insights سے دیکھیں کہ وہ کیا پوچھتے ہیں۔
invite-invalid = یہ دعوتی لنک درست نہیں: شاید استعمال ہو چکا ہے یا اس کی مدت ختم ہو گئی ہے۔ براہ کرم { -programme-operator } سے نیا لنک لیں۔
help-staff = <b>آپ کے اوزار</b> (کسی طالب علم کے سوال کا جواب دینے کے لیے اس کے 🎫 پیغام کا جواب دیں):

## Tickets
ticket-button-escalate = 🙋 میرے فوکل پرسن سے پوچھیں
ticket-button-answer = ✍️ جواب دیں
ticket-button-not-mine = ↪️ میرا نہیں ({ -help-desk } کو)
ticket-button-add-faq = 📚 معلوماتی ذخیرے میں شامل کریں
ticket-new =
    🎫 #{ $id } · { $university }
    <b>ایک طالب علم کا سوال</b> ({ $kind }):
    { $question }
ticket-no-university = یونیورسٹی نہیں بتائی گئی
ticket-attempt =
    <b>بوٹ کا جواب:</b>
    <i>{ $attempt }</i>
ticket-no-attempt = <i>بوٹ پروگرام کے قواعد سے اس کا جواب نہیں دے سکا۔</i>
ticket-desk-no-focal-person = ℹ️ { -help-desk } کو بھیجا گیا: اس یونیورسٹی کا کوئی فوکل پرسن دستیاب نہیں۔
ticket-desk-passed-on = ℹ️ فوکل پرسن نے یہ سوال { -help-desk } کو بھیج دیا۔
ticket-desk-overdue = ⏰ { -help-desk } کو بھیجا گیا: 48 گھنٹے سے جواب نہیں ملا۔
ticket-how-to-answer = اس پیغام کے جواب (reply) میں اپنا جواب لکھیں، یا "جواب دیں" دبائیں۔
ticket-from-focal = آپ کے فوکل پرسن
ticket-from-desk = { -help-desk }
ticket-answer-for-learner =
    <b>{ $who } کی طرف سے جواب</b>
    آپ نے پوچھا: <i>{ $question }</i>

    { $answer }

    کیا اس سے مدد ملی؟
ticket-already-sent = یہ سوال پہلے ہی بھیجا جا چکا ہے۔
ticket-sent-focal = آپ کی یونیورسٹی کے فوکل پرسن کو بھیج دیا گیا (ٹکٹ #{ $id })۔ ان کا جواب یہیں آئے گا۔
ticket-sent-desk = { -help-desk } کو بھیج دیا گیا (ٹکٹ #{ $id })۔ جواب یہیں آئے گا۔
ticket-sent-nobody = آپ کا سوال ٹکٹ #{ $id } کے طور پر محفوظ ہے، لیکن ابھی کوئی اس کا جواب نہیں دے سکتا: آپ کی یونیورسٹی کا کوئی فوکل پرسن بوٹ پر نہیں اور { -help-desk } پر بھی کوئی موجود نہیں۔ جب کوئی جواب دے سکے گا تو جواب یہیں آئے گا۔
ticket-already-answered = اس سوال کا جواب پہلے ہی دیا جا چکا ہے۔
ticket-type-answer = ٹکٹ #{ $id } کا جواب لکھیں۔ یہ جوں کا توں طالب علم کو جائے گا۔ روکنے کے لیے /cancel۔
ticket-passed = ٹکٹ #{ $id } { -help-desk } کو بھیج دیا گیا۔
ticket-answer-sent = ٹکٹ #{ $id } کا آپ کا جواب طالب علم کو بھیج دیا گیا۔ کیا اگلی بار بوٹ یہی جواب دے؟
ticket-answer-kept-blocked = ٹکٹ #{ $id } کا جواب محفوظ ہو گیا، لیکن طالب علم نے بوٹ کو بلاک کر رکھا ہے، اس لیے جواب انہیں نہیں بھیجا جا سکا۔ کیا آئندہ بوٹ یہی جواب دے؟
tickets-header = <b>کھلے سوالات ({ $count })، پرانے پہلے</b>
tickets-line =
    🎫 #{ $id } · { $date } · { $university } · { $route }
    سوال: { $question }
tickets-route-focal = فوکل پرسن
tickets-route-desk = { -help-desk }
tickets-none = کوئی کھلا سوال نہیں۔ 🎉
tickets-answer-button = جواب #{ $id }

## FAQ entries
faq-added = عمومی سوال کا مسودہ #{ $id } جائزے کے لیے { -programme-operator } کو بھیج دیا گیا۔ { -programme-operator } کے ایڈمن کی منظوری کے بعد بوٹ اسے استعمال کرے گا۔
faq-button-approve = ✅ منظور کریں
faq-button-edit = ✏️ ترمیم
faq-button-reject = 🗑 مسترد کریں
faq-button-scope-national = 🌐 تمام جامعات
faq-button-scope-local = 🏛 صرف اس کی جامعہ
faq-drafts-header = { $count ->
    [0] جائزے کے لیے کوئی مسودہ نہیں۔
    [one] ایک مسودہ جائزے کا منتظر ہے:
   *[other] { $count } مسودے جائزے کے منتظر ہیں:
}
faq-draft = مسودہ
faq-national = تمام جامعات
faq-approved = عمومی سوال #{ $id } منظور ہو گیا: بوٹ اب سے اسے استعمال کرے گا۔
faq-rejected = مسودہ #{ $id } مسترد کر دیا گیا؛ بوٹ اسے استعمال نہیں کرے گا۔
faq-scope-set = عمومی سوال #{ $id } اب ان کو جواب دیتا ہے: { $university }
faq-edit-prompt = شائع ہونے والا سوال پہلی سطر میں اور اس کے نیچے جواب بھیجیں (جواب برقرار رکھنے کے لیے صرف ایک سطر بھیجیں)۔ /cancel سے کچھ نہیں بدلے گا۔
faq-edited = عمومی سوال #{ $id } میں ترمیم ہو گئی۔
faq-none = جواب شدہ سوالات سے ابھی کوئی شائع شدہ عمومی سوال نہیں۔
faq-button-reviewed = ✔️ جائزہ مکمل
faq-button-remove = 🗑 ہٹائیں
faq-entry =
    <b>عمومی سوال #{ $id }</b> · { $university } · { $date } · { $reviewed }
    <b>س:</b> { $question }
    <b>ج:</b> { $answer }
faq-reviewed = جائزہ شدہ
faq-not-reviewed = ابھی جائزہ نہیں ہوا
faq-marked-reviewed = عمومی سوال #{ $id } جائزہ شدہ قرار دیا گیا۔
faq-removed = عمومی سوال #{ $id } ہٹا دیا گیا؛ بوٹ اب اسے استعمال نہیں کرے گا۔

## Focal persons (HEC admins)
invite-usage = طریقہ: /invite_focal <i>یونیورسٹی کا نام</i>، مثلاً /invite_focal COMSATS
invite-pick-university = کس یونیورسٹی کے لیے؟
invite-created =
    <b>{ $university }</b> کے فوکل پرسن کے لیے دعوتی لنک:
    { $link }
    یہ صرف ایک بار چلے گا اور { $expires } کو ختم ہو جائے گا۔ اسے صرف متعلقہ شخص کو بھیجیں۔
focals-none = ابھی کوئی فوکل پرسن نہیں۔ /invite_focal سے دعوت دیں۔
focals-header = <b>فوکل پرسن ({ $count })</b>
focals-line = { $university } · صارف { $user_id } { $blocked }
focals-blocked = (بوٹ کو بلاک کر چکے ہیں)
focals-button-revoke = منسوخ کریں
focals-button-reassign = دوسری یونیورسٹی میں منتقل کریں
focals-revoked = صارف { $user_id } اب فوکل پرسن نہیں رہے۔
focals-type-university = نئی یونیورسٹی کے نام کا کچھ حصہ لکھیں۔
focals-reassigned = صارف { $user_id } اب { $university } کے فوکل پرسن ہیں۔

## Learners' rights
mydata-caption = آپ کے بارے میں محفوظ تمام معلومات، JSON فائل کی صورت میں۔
forget-confirm = آپ کے بارے میں محفوظ سب کچھ مٹا دیا جائے؟ آپ کے سوالات صرف { -programme-operator } کے اعداد و شمار میں بے نام گنتی کے طور پر رہیں گے۔ یہ عمل واپس نہیں ہو سکتا۔
forget-button-yes = ہاں، میرا ڈیٹا مٹا دیں
forget-button-no = نہیں، رہنے دیں
forget-kept = کچھ نہیں مٹایا گیا۔
forget-done = آپ کا ذاتی ڈیٹا مٹا دیا گیا۔ { -programme-operator } کے اعداد و شمار میں صرف بے نام گنتی باقی ہے۔ بوٹ دوبارہ استعمال کرنے کے لیے /start بھیجیں۔

## Insights
insights-all-universities = تمام یونیورسٹیاں
insights-title = <b>جائزہ: { $scope }</b>
insights-since = { $date } سے
insights-date-format = میں یہ تاریخ نہیں پڑھ سکا۔ اسے سال-مہینہ-دن (YYYY-MM-DD) کی صورت میں لکھیں، مثلاً اس دن سے اب تک کے سوالات کے لیے /insights 2026-11-01، اور چاہیں تو اس کے بعد یونیورسٹی کا نام۔
insights-summary = سوالات: { $total } (جواب دیے گئے { $answered }، جواب نہیں دیا جا سکا { $unanswered })
insights-feedback = رائے: 👍 { $up } · 👎 { $down } (مفید { $rate })
insights-tickets = لوگوں کو بھیجے گئے سوالات: { $tickets } (جواب شدہ { $answered }، { -help-desk } کو { $desk }، جواب کا درمیانی وقت { $median } گھنٹے)
insights-per-university = <b>ہر یونیورسٹی کے سوالات</b>
insights-topics = <b>اہم موضوعات</b>
insights-gaps = <b>وہ سوالات جن کا بوٹ جواب نہیں دے سکا</b>
insights-none = (کوئی نہیں)
insights-row = { $count } بار: { $label }
insights-chart-caption = روزانہ سوالات اور اہم موضوعات۔
