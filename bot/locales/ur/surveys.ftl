# سروے: دعوت نامے، چیٹ میں جوابات، سروے بند کرنا، ایچ ای سی ایڈمنز کے لیے اپ لوڈ اور نتائج۔
survey-invitation =
    📋 <b>{ $title }</b>
    { $intro }

    کیا آپ چند مختصر سوالات کے جواب دیں گے؟ آپ کے جوابات سے { -programme-operator } کو پروگرام بہتر بنانے میں مدد ملتی ہے۔
    (اگر آپ سروے وصول نہیں کرنا چاہتے تو /surveys off لکھیں۔)
survey-start-button = ▶️ سروے شروع کریں
survey-continue-button = ▶️ سروے جاری رکھیں
survey-reminder = یاد دہانی: <b>{ $title }</b> ابھی کھلا ہے۔ صرف دو منٹ لگیں گے۔
survey-reminder-started = آپ نے <b>{ $title }</b> شروع کیا تھا۔ جہاں چھوڑا تھا وہیں سے جاری رکھنے کے لیے بٹن دبائیں۔
survey-progress = سوال { $position } از { $total }
survey-back-button = ⬅️ واپس
survey-skip-button = چھوڑیں ⏭
survey-done-button = ✅ مکمل
survey-choose-one = نیچے سے ایک جواب منتخب کریں۔
survey-choose-many = جتنے جوابات درست ہوں سب پر نشان لگائیں، پھر "مکمل" دبائیں۔
survey-type-number = { $min } سے { $max } { $unit } تک کوئی عدد لکھیں۔
survey-type-text = اپنا جواب لکھیں (زیادہ سے زیادہ { $limit } حروف)۔
survey-thanks = شکریہ! آپ کے جوابات محفوظ ہو گئے ہیں۔ 🙏
survey-not-found = معذرت، یہ سروے نہیں ملا۔
survey-not-invited = یہ سروے آپ کو نہیں بھیجا گیا تھا، اس لیے میں اس کے جوابات درج نہیں کر سکتا۔
survey-not-started = براہ کرم پہلے سروے کے دعوت نامے پر "شروع کریں" کا بٹن دبائیں۔
survey-already-answered = آپ یہ سروے پہلے ہی مکمل کر چکے ہیں۔ شکریہ! ہر سروے کا ایک فرد سے ایک ہی جواب لیا جاتا ہے۔
survey-closed = معذرت، یہ سروے بند ہو چکا ہے اور اب جوابات نہیں لیتا۔
survey-old-version = یہ بٹن سروے کے پرانے ورژن کا ہے جو اب تبدیل ہو چکا ہے۔ آپ کے وقت کا شکریہ!
survey-stale-button = یہ بٹن پچھلے سوال کا ہے۔ موجودہ سوال یہ ہے:
survey-use-buttons = براہ کرم اس سوال کا جواب نیچے دیے گئے بٹنوں سے دیں۔
survey-choose-at-least-one = "مکمل" دبانے سے پہلے کم از کم ایک جواب پر نشان لگائیں۔
survey-text-empty = براہ کرم اپنا جواب تحریر کی صورت میں لکھیں۔
survey-text-too-long = جواب کچھ لمبا ہے: براہ کرم { $limit } حروف سے کم رکھیں۔
survey-number-invalid = میں اسے عدد کے طور پر نہیں پڑھ سکا۔ براہ کرم صرف عدد لکھیں، مثلاً 25000۔
survey-number-range = براہ کرم { $min } سے { $max } { $unit } تک کوئی عدد لکھیں۔
survey-required = یہ سوال چھوڑا نہیں جا سکتا۔
survey-invalid = سروے کی فائل میں غلطیاں ہیں؛ براہ کرم درست کر کے دوبارہ بھیجیں۔
surveys-off = اب آپ کو سروے نہیں بھیجے جائیں گے۔ دوبارہ وصول کرنے کے لیے /surveys on لکھیں۔
surveys-on = سروے دوبارہ شروع ہو گئے ہیں۔ پروگرام بہتر بنانے میں مدد کا شکریہ!
surveys-usage = سروے بند کرنے کے لیے /surveys off اور دوبارہ شروع کرنے کے لیے /surveys on لکھیں۔
survey-upload-prompt = سروے YAML فائل کی صورت میں بھیجیں (طریقہ docs/surveys.md میں ہے)، یا /cancel لکھیں۔
survey-upload-not-document = براہ کرم سروے .yaml فائل کی صورت میں بھیجیں، یا /cancel لکھیں۔
survey-upload-too-big = یہ فائل سروے کے لیے بہت بڑی ہے۔
survey-upload-problems = <b>سروے کی فائل میں { $count } غلطیاں ہیں:</b>
survey-upload-preview = <b>پیش نظارہ۔</b> دیکھ لیں، پھر محفوظ کریں یا منسوخ کریں:
survey-save-button = 💾 محفوظ کریں
survey-cancel-button = ✖️ منسوخ کریں
survey-saved = سروے <b>{ $slug }</b> ورژن { $version } محفوظ ہو گیا۔ سب کے لیے شروع کرنے کو /survey_send { $slug } بھیجیں، یا کسی مخصوص گروہ کے لیے سرور پر <code>hecbot survey send { $slug }</code> چلائیں۔
survey-upload-cancelled = کچھ محفوظ نہیں کیا گیا۔
survey-results-usage = کون سا سروے؟ /results کے ساتھ اس کی آئی ڈی بھیجیں:
survey-results-unknown = <b>{ $slug }</b> نام کا کوئی سروے نہیں۔ سروے یہ ہیں:
survey-results-line = • <code>{ $slug }</code>: { $title } ({ $count } جوابات)
survey-results-none = ابھی کوئی سروے شامل نہیں کیا گیا (ایڈمن /survey_upload سے سروے شامل کرتے ہیں)۔
survey-send-usage = طریقہ: /survey_send &lt;survey id&gt; سروے ابھی سب کے لیے شروع کرتا ہے۔ مخصوص افراد یا بعد کے مراحل کے لیے <code>hecbot survey send</code> استعمال کریں۔
survey-send-started = سروے <b>{ $slug }</b> شروع ہو گیا (مرحلہ { $wave })۔ دعوت نامے چند منٹ میں بھیجے جائیں گے، ہر طالب علم کو ہفتے میں زیادہ سے زیادہ ایک سروے۔
survey-send-already = سروے <b>{ $slug }</b> پہلے ہی بھیجا جا رہا ہے: مرحلہ { $wave } { $since } کو شروع ہوا اور اس کے دعوت نامے جا رہے ہیں (ہر طالب علم کو ہفتے میں زیادہ سے زیادہ ایک سروے)۔ دوسرا مرحلہ شروع نہیں کیا گیا۔
survey-echo = ✓ آپ کا جواب: <b>{ $answer }</b>
survey-echo-skipped = ⏭ <i>چھوڑ دیا</i>
survey-scale-range = براہ کرم { $min } سے { $max } تک کوئی عدد منتخب کریں: لکھ دیں یا اس کا بٹن دبائیں۔
survey-aside = یہ آپ کا اپنا سوال تھا، اس لیے میں نے اوپر اس کا جواب دے دیا ہے۔ آپ ابھی <b>{ $title }</b> میں ہیں: آگے بڑھنے کے لیے نیچے والے سوال کا جواب دیں، یا وقفے کے لیے /cancel لکھیں (اب تک کے جوابات محفوظ رہیں گے)۔
survey-paused = سروے روک دیا گیا۔ آپ کے اب تک کے جوابات محفوظ ہیں: جب چاہیں سروے کے دعوت نامے پر "جاری رکھیں" دبا کر وہیں سے شروع کریں۔
survey-open-until = ⏳ { $until } تک کھلا ہے۔
survey-already-shown = سروے کھلا ہے: اس کا سوال نیچے آخری پیغام میں ہے۔
