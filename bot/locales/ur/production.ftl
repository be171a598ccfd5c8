# Production: messages about backing services (the knowledge index on its server).
error-knowledge-unavailable = اس وقت معلومات کا ذخیرہ دستیاب نہیں ہے۔ براہ کرم ایک منٹ بعد اپنا سوال دوبارہ پوچھیں۔
