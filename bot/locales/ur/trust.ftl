# Privacy and access rules that hold everywhere (issue 13).
private-chat-only = میں صرف نجی چیٹ میں بات کرتا ہوں تاکہ کوئی ذاتی معلومات گروپ میں نہ دکھے۔ براہ کرم مجھے براہ راست لکھیں: { $bot }
