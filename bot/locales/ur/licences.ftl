# لائسنس: /apply، /mylicence، انتخاب کے نتائج، یاد دہانیاں۔
licence-no-intake = اس وقت کوئی انٹیک درخواستیں نہیں لے رہا۔ { -programme-operator } ہر انٹیک کا اعلان کرتا ہے؛ نیا انٹیک کھلنے پر میں آپ کو بتاؤں گا۔
licence-apply-intro =
    <b>کورسیرا لائسنس کے لیے درخواست: { $intake }</b>
    درخواستیں { $deadline } کو بند ہوں گی۔ کسی بھی مرحلے پر رکنے کے لیے /cancel لکھیں۔
licence-yes = ہاں
licence-no = نہیں
licence-not-eligible = شکریہ۔ آپ کے جوابات کے مطابق آپ اس انٹیک کے اہل نہیں، اس لیے درخواست یہیں ختم ہوتی ہے۔
licence-choose-domains = آپ کن ترجیحی شعبوں میں سیکھنا چاہتے ہیں؟ ایک یا زیادہ چنیں، پھر "مکمل" دبائیں۔
licence-choose-tracks = زیادہ سے زیادہ { $count } لرننگ ٹریک چنیں، پھر "مکمل" دبائیں۔
licence-done-button = مکمل
licence-choose-one = پہلے کم از کم ایک چنیں۔
licence-too-many-tracks = آپ زیادہ سے زیادہ { $count } ٹریک چن سکتے ہیں۔
licence-ask-email = اپنا یونیورسٹی ای میل پتہ لکھیں (جو { $domains } پر ختم ہو)۔ میں آپ کو ایک بار استعمال ہونے والا کوڈ ای میل کروں گا۔
licence-email-not-allowed = یہ ایسا یونیورسٹی ای میل پتہ نہیں جو یہ انٹیک قبول کرتا ہے۔ براہ کرم اپنا یونیورسٹی پتہ لکھیں۔
licence-email-taken = اس انٹیک کے لیے اس پتے سے کسی اور ٹیلی گرام اکاؤنٹ سے درخواست پہلے ہی دی جا چکی ہے، اور ایک پتے سے ایک ہی درخواست دی جا سکتی ہے۔ اگر وہ اکاؤنٹ آپ کا ہے تو اسی سے درخواست دیں (یا پہلے وہاں درخواست واپس لیں)؛ ورنہ اپنا یونیورسٹی پتہ لکھیں۔
licence-code-sent = میں نے { $email } پر 6 ہندسوں کا کوڈ بھیجا ہے۔ اسے یہاں لکھیں (یہ 15 منٹ تک درست ہے)۔ پتہ غلط لکھا گیا؟ اس کی جگہ درست پتہ لکھیں۔
licence-code-wrong = یہ کوڈ درست نہیں۔ ای میل دیکھ کر کوڈ دوبارہ لکھیں۔
licence-code-expired = اس کوڈ کی مدت ختم ہو گئی ہے۔ اپنی یونیورسٹی کا ای میل پتہ دوبارہ لکھیں، میں نیا کوڈ بھیج دوں گا۔
licence-code-too-many = پچھلے ایک گھنٹے میں بہت زیادہ کوڈ بھیجے گئے۔ براہ کرم کچھ دیر بعد کوشش کریں۔
licence-mail-failed = میں ابھی ای میل نہیں بھیج سکا۔ براہ کرم چند منٹ بعد کوشش کریں۔
licence-email-verified = ✅ { $email } کی تصدیق ہو گئی۔
licence-confirm =
    <b>براہ کرم اپنی درخواست دیکھ لیں</b>
    ترجیحی شعبے: { $domains }
    لرننگ ٹریک: { $tracks }
licence-submit-button = درخواست جمع کریں
licence-submitted = ✅ آپ کی درخواست (نمبر { $number }) جمع ہو گئی۔ آخری تاریخ تک آپ اسے /apply سے بدل سکتے ہیں۔ /mylicence سے اس کی صورتحال دیکھیں۔
licence-already-applied = آپ { $intake } کے لیے درخواست دے چکے ہیں۔ درخواست میں ترمیم کریں یا واپس لیں؟
licence-edit-button = ترمیم
licence-withdraw-button = واپس لیں
licence-withdrawn = آپ کی درخواست واپس لے لی گئی۔ آخری تاریخ سے پہلے آپ /apply سے دوبارہ درخواست دے سکتے ہیں۔
licence-locked = آپ کی درخواست اب بدلی نہیں جا سکتی (اس کا فیصلہ ہو چکا ہے یا آخری تاریخ گزر چکی ہے)۔ /mylicence سے اس کی صورتحال دیکھیں۔
licence-intake-closed = <b>{ $intake }</b> نے یہ فارم بھیجے جانے سے پہلے درخواستیں لینا بند کر دیا، اس لیے کچھ جمع نہیں ہوا۔ کوئی اور انٹیک کھلا ہے یا نہیں، یہ دیکھنے کے لیے /apply بھیجیں۔
licence-mail-subject = آپ کا hecbot تصدیقی کوڈ
licence-mail-body =
    کورسیرا لائسنس کی درخواست کے لیے اس پتے کی تصدیق کا کوڈ یہ ہے: { $code }
    یہ { $minutes } منٹ تک درست ہے۔ اگر آپ نے یہ نہیں مانگا تو اس ای میل کو نظرانداز کریں۔
licence-none = آپ نے ابھی لائسنس کے لیے درخواست نہیں دی۔ انٹیک کھلا ہو تو /apply لکھیں۔
licence-status-draft = { $intake } کے لیے آپ کی درخواست ابھی جمع نہیں ہوئی۔ مکمل کرنے کے لیے /apply لکھیں۔
licence-status-applied = { $intake } کے لیے آپ کی درخواست جمع ہے اور { -programme-operator } کے فیصلے کی منتظر ہے۔
licence-status-waitlisted = آپ { $intake } کی انتظار فہرست میں ہیں۔ نشست خالی ہونے پر آپ آگے آئیں گے۔
licence-status-rejected = { $intake } کے لیے آپ کی درخواست منظور نہیں ہوئی۔
licence-status-withdrawn = آپ نے { $intake } کے لیے اپنی درخواست واپس لے لی۔
licence-status-reclaimed = { $intake } کا آپ کا لائسنس استعمال نہ ہونے کی وجہ سے انتظار فہرست کو دے دیا گیا۔
licence-status-approved = 🎉 { $intake } کے لیے آپ کا لائسنس منظور ہو گیا۔ کورسیرا آپ کو دعوت نامہ ای میل کرے گا۔
licence-status-invited = کورسیرا نے آپ کو دعوت دی ہے ({ $intake })۔ دعوت والی ای میل کھولیں اور شامل ہوں۔
licence-status-joined = آپ کورسیرا میں شامل ہو گئے ہیں ({ $intake })۔ اپنا پہلا کورس شروع کریں!
licence-status-active = { $intake } کا آپ کا لائسنس فعال ہے۔ جاری رکھیں!
licence-status-inactive = { $intake } کے آپ کے لائسنس پر 30 دن سے کوئی سرگرمی نہیں۔ غیر استعمال شدہ لائسنس انتظار فہرست کو دیے جا سکتے ہیں۔
licence-status-ended = { $intake } کا آپ کا لائسنس ختم ہو گیا ہے۔
licence-days-left = باقی دن: <b>{ $days }</b> ({ $ends } تک)۔
licence-reason = وجہ: { $reason }
licence-progress = مکمل کورس: <b>{ $completed }</b> (شروع کیے گئے { $enrolled } میں سے) · سیکھنے کے گھنٹے: <b>{ $hours }</b> (کورسیرا رپورٹ { $as_of })۔
licence-plan-progress = آپ کا /myplan: { $total } میں سے { $done } کورس مکمل۔
licence-plan-at-risk = ⚠️ آپ کے پلان میں باقی دنوں سے زیادہ کورس رہ گئے ہیں۔ سب سے اہم کورس پہلے چنیں۔
licence-outcome-approved = 🎉 { $intake } کے لیے آپ کی درخواست منظور ہو گئی۔ کورسیرا آپ کو شامل ہونے کا دعوت نامہ ای میل کرے گا۔
licence-outcome-waitlisted = { $intake } کے لیے آپ کی درخواست انتظار فہرست میں ہے۔ نشست خالی ہوتے ہی آپ کو بتایا جائے گا۔
licence-outcome-rejected = { $intake } کے لیے آپ کی درخواست منظور نہیں ہوئی۔ وجہ: { $reason }
licence-outcome-promoted = 🎉 ایک نشست خالی ہوئی: { $intake } کے لیے آپ کی درخواست اب منظور ہے۔ کورسیرا آپ کو دعوت نامہ ای میل کرے گا۔
licence-reclaim-warning = آپ کے کورسیرا لائسنس پر 30 دن سے کوئی سرگرمی نہیں۔ اگر یہ استعمال نہ ہوا تو انتظار فہرست کے کسی طالب علم کو دے دیا جائے گا۔ اسے رکھنے کے لیے اس ہفتے کوئی کورس شروع کریں۔
licence-reclaimed = آپ کا غیر استعمال شدہ کورسیرا لائسنس انتظار فہرست کے ایک طالب علم کو دے دیا گیا ہے۔
licence-funnel-caption = { $scope }: { $as_of } تک لائسنس کی صورتحال: { $applied } درخواستیں، { $approved } منظور، { $invited } مدعو، { $joined } شامل، { $active } پچھلے 30 دن میں فعال، { $completed } نے کم از کم ایک کورس مکمل کیا؛ { $courses } کورس مکمل، { $hours } سیکھنے کے گھنٹے۔
licence-nudge-report-caption = یاد دہانی { $rule }: { $outcome } یاد دہانی والے گروپ میں { $nudged_rate } ({ $nudged }) اور ہولڈ آؤٹ میں { $holdout_rate } ({ $holdout })؛ فرق { $difference } پوائنٹس (95٪ اعتماد وقفہ { $low } سے { $high })۔
licence-nudge-report-empty = کسی یاد دہانی کے اصول کی ابھی کوئی تقسیم نہیں۔
