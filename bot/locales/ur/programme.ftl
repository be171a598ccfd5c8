# The programme as learners read it (see en/programme.ftl); PROGRAMME_NAME_UR and the other
# `_UR` settings replace these terms, and unset take the English setting's text.
-programme-name = HEC × Coursera
-programme-operator = HEC
-help-desk = HEC ڈیسک
-programme-about = میں پروگرام کے مفت کورسیرا لائسنس کے بارے میں سوالات کے جواب دیتا ہوں: کون اہل ہے، درخواست کیسے دیں، آخری تاریخیں، سرٹیفکیٹ، اور مشکل میں کیا کریں۔
programme-name = { -programme-name }
programme-help-desk = { -help-desk }
