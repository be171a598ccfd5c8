# کورس کا انتخاب: /courses، /myplan اور چیٹ میں کورس سے متعلق سوالات۔
courses-ask-goal =
    <b>آپ کیا سیکھنا یا بننا چاہتے ہیں؟</b>
    اپنے الفاظ میں بتائیں، مثلاً: <i>میں ڈیٹا اینالسٹ بننا چاہتا ہوں</i> یا <i>mujhe cloud seekhna hai</i>۔
courses-goal-unclear =
    معاف کیجیے، میں سمجھ نہیں سکا کہ آپ کیا سیکھنا چاہتے ہیں۔ کوئی مہارت یا پیشہ لکھیں، مثلاً: <i>data analysis</i>، <i>فری لانسنگ کے لیے ویب ڈیولپمنٹ</i>، <i>ڈیجیٹل مارکیٹنگ</i>۔
    (روکنے کے لیے /cancel لکھیں۔)
courses-goal-text-only = براہِ کرم اپنا مقصد تحریری پیغام میں لکھیں۔
courses-ask-level = اس شعبے میں آپ کی سطح کیا ہے؟
courses-ask-hours = آپ ہفتے میں کتنے گھنٹے پڑھ سکتے ہیں؟
courses-level-beginner = ابتدائی
courses-level-intermediate = درمیانی
courses-level-advanced = اعلیٰ
courses-level-mixed = ہر سطح
courses-hours-2 = زیادہ سے زیادہ 2 گھنٹے
courses-hours-5 = 3 تا 5 گھنٹے
courses-hours-10 = 6 تا 10 گھنٹے
courses-hours-15 = 10 گھنٹے سے زیادہ
courses-result-header = <b>آپ کا تعلیمی راستہ</b> (اسی ترتیب سے کریں):
courses-result-track = { -programme-operator } کے ٹریک <b>{ $track }</b> کی بنیاد پر۔
courses-item-title = <b>{ $number }۔ { $title }</b>
courses-item-facts = { $partner }، { $level }، { $duration }، { $rating }
courses-item-no-rating = ابھی ریٹنگ نہیں
courses-item-why = کیوں: { $skills }
courses-item-pace = ہفتے میں { $hours } گھنٹے کے حساب سے تقریباً { $weeks } ہفتے
courses-item-link = <a href="{ $url }">کورسیرا پر کھولیں</a>
courses-kind-course = کورس
courses-kind-specialization = اسپیشلائزیشن
courses-kind-professional_certificate = پروفیشنل سرٹیفکیٹ
courses-kind-guided_project = گائیڈڈ پراجیکٹ
courses-no-fit =
    معاف کیجیے، ہمارے کیٹلاگ میں کوئی کورس اس مقصد کے لیے موزوں نہیں۔
    قریب ترین { -programme-operator } ٹریک یہ ہیں: { $tracks }۔ کوئی اور مقصد آزمانے کے لیے /courses بھیجیں۔
courses-no-fit-no-tracks = معاف کیجیے، ہمارے کیٹلاگ میں کوئی کورس اس مقصد کے لیے موزوں نہیں۔ کوئی اور مقصد آزمانے کے لیے /courses بھیجیں۔
courses-button-more = 🔁 اس جیسے مزید
courses-button-basics = 🌱 بنیاد سے شروع کریں
courses-button-save = 💾 میرے منصوبے میں محفوظ کریں
courses-saved = { $count } کورس آپ کے منصوبے میں محفوظ ہو گئے۔ دیکھنے کے لیے /myplan بھیجیں۔
courses-saved-none = یہ کورس پہلے ہی آپ کے منصوبے میں ہیں۔ دیکھنے کے لیے /myplan بھیجیں۔
courses-chat-hint = اپنی سطح اور وقت کے مطابق راستہ پانے کے لیے /courses بھیجیں۔
courses-plan-empty = آپ کا منصوبہ خالی ہے۔ کورس تلاش کر کے محفوظ کرنے کے لیے /courses بھیجیں۔
courses-plan-header = <b>میرا منصوبہ</b>
courses-plan-item = { $mark } { $title } (سطح: { $level })
courses-plan-done-button = ✅ مکمل: { $title }
courses-plan-marked = مکمل کے طور پر درج ہو گیا۔ شاباش! 🎉
courses-preparing = ایک لمحہ، میں کیٹلاگ دیکھ رہا ہوں…
courses-item-why-track = کیوں: { -programme-operator } کے { $track } ٹریک کا کورس نمبر { $position }
courses-item-why-foundation = کیوں: اگلے کورسز کی بنیاد ({ $skills })
courses-item-why-related = کیوں: آپ کے مقصد کے مطابق { $skills } کے بارے میں
courses-item-why-goal = کیوں: آپ کے مقصد کے الفاظ سے ملتا ہے
courses-item-part-of = اس کا حصہ: { $group }
courses-result-time = کل تقریباً { $weeks } ہفتے، ہفتے میں { $hours } گھنٹے کے حساب سے؛ آپ کے لائسنس میں تقریباً { $available } ہفتے باقی ہیں۔
courses-result-trimmed = پورا راستہ آپ کے لائسنس میں پورا نہیں ہوتا، اس لیے صرف وہ کورس دیے ہیں جو وقت میں مکمل ہو سکیں۔
courses-result-too-long =
    یہ مقصد آپ کے وقت میں پورا نہیں ہوتا: اوپر دیا گیا مختصر ترین آغاز بھی تقریباً { $weeks } ہفتے لیتا ہے اور آپ کے لائسنس میں تقریباً { $available } ہفتے باقی ہیں۔ ہفتے میں زیادہ گھنٹے مدد کریں گے۔
tracks-upload-prompt = یہ { -programme-operator } کے موجودہ ٹریک ہیں۔ ترمیم شدہ فائل (yaml.) واپس بھیجیں، یا /cancel۔
tracks-upload-cancelled = ٹریک تبدیل نہیں ہوئے۔
tracks-upload-not-document = براہ کرم ٹریک UTF-8 میں yaml. فائل کے طور پر بھیجیں (زیادہ سے زیادہ 256 KB)۔
tracks-upload-problems = ٹریک تبدیل نہیں ہوئے: { $count } مسئلے ٹھیک کرنے ہیں۔
tracks-upload-done = { $count } ٹریک محفوظ ہو گئے۔ طلبہ کو اگلے سوال سے ملیں گے، ری اسٹارٹ کی ضرورت نہیں۔
catalogue-upload-prompt =
    کورس کیٹلاگ csv. دستاویز کے طور پر بھیجیں (زیادہ سے زیادہ 10 MB)، یا /cancel۔
    فائل کورسیرا کی طے شدہ ترتیب میں ہو: کالم course_title، course_url، course_organization، course_certificate_type، course_difficulty، course_time، course_rating، course_skills، course_summary۔ (دوسری ترتیب کے لیے سرور پر <code>hecbot courses import --mapping</code> استعمال کریں۔)
    کورس URL سے ملائے جاتے ہیں: نئے شامل، موجودہ تبدیل ہوتے ہیں؛ فائل میں نہ ہونے والے کورس رہتے ہیں۔ کسی ایک قطار میں بھی مسئلہ ہو تو کچھ شامل نہیں ہوتا۔
catalogue-upload-cancelled = کیٹلاگ تبدیل نہیں ہوا۔
catalogue-upload-not-csv = براہ کرم کیٹلاگ کورسیرا کی ترتیب میں csv. دستاویز کے طور پر بھیجیں۔
catalogue-upload-not-utf8 = کیٹلاگ تبدیل نہیں ہوا: یہ فائل UTF-8 متن نہیں۔ اسے UTF-8 میں محفوظ کریں (ایکسل میں: Save As، پھر "CSV UTF-8 (Comma delimited)") اور دوبارہ بھیجیں، یا /cancel۔
catalogue-upload-too-big = یہ فائل بہت بڑی ہے: یہاں حد { $megabytes } MB ہے۔ بڑے کیٹلاگ سرور پر <code>hecbot courses import</code> سے شامل کریں۔
catalogue-upload-started = کیٹلاگ کی جانچ اور شمولیت جاری ہے… نئے کورس سفارشات کے لیے تیار کیے جا رہے ہیں، بڑی فائل میں چند منٹ لگ سکتے ہیں۔ مکمل ہونے پر بتاؤں گا۔
catalogue-upload-problems = کیٹلاگ تبدیل نہیں ہوا: { $count } قطاریں ٹھیک کرنی ہیں (فائل کی لائن نمبر)۔ انہیں ٹھیک کر کے پوری فائل دوبارہ بھیجیں۔
catalogue-upload-more-problems = … اور { $count } مزید۔
catalogue-upload-file-problem = کیٹلاگ تبدیل نہیں ہوا: { $problem }
catalogue-upload-done = کیٹلاگ شامل ہو گیا: { $added } کورس نئے، { $updated } تبدیل، { $unchanged } بغیر تبدیلی، کوئی نہیں ہٹایا گیا (فائل میں نہ ہونے والے کورس رہتے ہیں کیونکہ طلبہ کے منصوبوں میں ہو سکتے ہیں)؛ { $embedded } سفارشات کے لیے تیار۔ طلبہ کو اگلے سوال سے ملے گا، ری اسٹارٹ کی ضرورت نہیں۔
