# Privacy and access rules that hold everywhere (issue 13).
private-chat-only = میں صرف نجی چیٹ میں بات کرتا ہوں تاکہ کوئی ذاتی معلومات گروپ میں نہ دکھے۔ براہ کرم مجھے براہ راست لکھیں: { $bot }
question-content-free = { $example ->
        [none] براہ کرم مجھ سے پروگرام کے بارے میں پورا سوال پوچھیں۔
       *[other] براہ کرم مجھ سے پورا سوال پوچھیں، مثال کے طور پر: <i>{ $example }</i>
    }
insights-content-free = سوال نہیں (👍، ok، ایک لفظ): { $count }، پورا سوال پوچھنے کو کہا گیا
help-commands = <b>آپ کی کمانڈز</b>
onboarding-accept-first = براہ کرم پہلے رازداری کا نوٹس قبول کریں (/privacy اسے دکھاتا ہے)؛ اس کے فوراً بعد میں آپ کے سوال کا جواب دوں گا۔
onboarding-accept-first-command = براہ کرم پہلے رازداری کا نوٹس قبول کریں (/privacy اسے دکھاتا ہے)، پھر { $command } دوبارہ بھیجیں۔
