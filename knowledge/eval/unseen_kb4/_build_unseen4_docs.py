"""Build the PDF and DOCX rule documents of unseen_kb4 (a fictional women's stipend).

Provenance script, like ``knowledge/data/_build_binary_docs.py`` whose builders it uses: it
documents where ``rdss-applicant-handbook.pdf`` and ``rdss-stipend-and-attendance.docx`` come
from. It is run by hand when their text changes
(``.venv/bin/python -m knowledge.eval.unseen_kb4._build_unseen4_docs``), never at bot run time,
and its output is committed next to it. The programme, its department, rules, numbers and
addresses are invented, for evaluation only (issue 15: a fourth knowledge base the engine was
never tuned on). It needs the dev dependency reportlab.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.data._build_binary_docs import Block, build_docx, build_pdf, h1, h2, li, p

EFFECTIVE_DATE = "2026-04-01"
AUTHOR = "Women Development Department (SAMPLE: for HEC to replace)"
SAMPLE_NOTE = (
    "SAMPLE: for HEC to replace. A fictional programme of a fictional department, invented "
    "only for evaluation."
)

APPLICANT_HANDBOOK: list[Block] = [
    h1("Roshni Digital Skills Stipend: applicant handbook"),
    p(f"Effective date: {EFFECTIVE_DATE}"),
    p(SAMPLE_NOTE),
    h2("About the stipend"),
    p(
        "The Roshni Digital Skills Stipend (RDSS) of the Women Development Department (WDD) "
        "pays women a monthly stipend while they learn a digital skill for six months. "
        "Each cohort has 3,000 places across the province. "
        "Classes are free, and the stipend does not have to be paid back if you finish the "
        "course. "
        "Two cohorts start each year, in February and in August."
    ),
    h2("Who can apply"),
    p(
        "You can apply if you are a woman aged 18 to 40 on the closing date and hold a "
        "domicile of the province. "
        "You must have passed intermediate (12 years of schooling) or hold a diploma of at "
        "least three months in a computer course. "
        "Your household income must be less than PKR 60,000 a month. "
        "Women with a disability may apply up to the age of 45."
    ),
    h2("Who cannot apply"),
    li("Women enrolled in a full-time degree programme."),
    li("Government employees in any pay scale."),
    li("Anyone who received an RDSS stipend in an earlier cohort, whether or not she finished."),
    li("Women who receive another training stipend of the provincial government."),
    h2("Documents you need"),
    p(
        "Keep scans of your CNIC (front and back), your domicile certificate, your last result "
        "card or diploma and a utility bill of your home from the last three months. "
        "A woman without a CNIC of her own cannot apply, and a B-form is not accepted. "
        "Scans must be clear photos or PDF files of no more than 2 MB each."
    ),
    h2("How to apply"),
    p(
        "Fill in Form RDSS-A on the RDSS portal (rdss.wdd.example.pk) while the intake window "
        "is open. "
        "The window stays open for 21 days and is announced in newspapers and on the WDD "
        "Facebook page. "
        "You can also apply at any district women development office, where staff fill in the "
        "form with you. "
        "Applying is free, and WDD never asks for money or a bank PIN. "
        "After you submit, you get a tracking code by SMS within 24 hours."
    ),
    h2("Selection and merit"),
    p(
        "Places are given on a merit score out of 100. "
        "Education counts for 40 marks, household income for 40 marks and a short aptitude "
        "test for 20 marks. "
        "Ten percent of the places in every district are kept for women with a disability. "
        "Results are sent by SMS and shown on the portal about five weeks after the window "
        "closes."
    ),
    h2("Accepting your place"),
    p(
        "If you are selected, you must accept the offer on the portal within 7 days. "
        "An offer not accepted in time goes to the next woman on the waiting list. "
        "You cannot move your place to a later cohort."
    ),
    h2("Study centres"),
    p(
        "Classes are held at WDD study centres in every district headquarters, usually inside "
        "a government girls college. "
        "Each centre has computers, so you do not need your own. "
        "You choose your study centre on Form RDSS-A and can change it only once, before the "
        "first class."
    ),
    h2("Childcare and travel support"),
    p(
        "A learner with a child under 5 years may bring the child to the day-care room of her "
        "centre, which is run by a trained attendant. "
        "A learner who lives more than 15 kilometres from her study centre gets a travel "
        "allowance of PKR 3,000 a month on top of the stipend. "
        "Ask the centre manager to record your address for the travel allowance in the first "
        "week."
    ),
    h2("Mobile data allowance"),
    p(
        "Every learner receives a mobile data package of 20 GB a month for the online part of "
        "the course. "
        "The package is sent to the mobile number registered on Form RDSS-A. "
        "It cannot be changed to cash or moved to another number."
    ),
]

STIPEND_AND_ATTENDANCE: list[Block] = [
    h1("Roshni Digital Skills Stipend: stipend, attendance and leave"),
    p(f"Effective date: {EFFECTIVE_DATE}"),
    p(SAMPLE_NOTE),
    h2("Stipend amount"),
    p(
        "The stipend is PKR 8,000 a month for six months, PKR 48,000 in all. "
        "Learners who complete the final project with a grade of A receive a one-time "
        "completion bonus of PKR 10,000."
    ),
    h2("Payment schedule"),
    p(
        "The stipend for each month is paid in the first 10 days of the following month. "
        "The first payment is made only after your wallet or bank details are verified. "
        "The payment for a month is held while your attendance record for that month is not "
        "yet approved."
    ),
    h2("How payments are received"),
    p(
        "The stipend is paid into a mobile wallet or bank account in your own name. "
        "The account must be registered on your own CNIC; an account of your husband, father "
        "or brother is not accepted. "
        "Enter the account details on the portal under My Payments before the second week of "
        "the course."
    ),
    h2("Attendance rule"),
    p(
        "You must attend at least 80% of the classes of a month to receive the stipend of that "
        "month. "
        "Attendance is marked by fingerprint at the study centre. "
        "A month below 80% is not paid, but you stay in the course. "
        "Three months below 80% end your place in the programme."
    ),
    h2("Leave"),
    p(
        "You may take up to 4 days of leave in a month with the approval of your centre "
        "manager. "
        "Approved leave counts as attendance. "
        "Request leave on Form RDSS-L at least 2 days in advance, except in an emergency."
    ),
    h2("Pausing for maternity or illness"),
    p(
        "A learner who gives birth or falls seriously ill during the course may pause her place "
        "for up to 6 months. "
        "Submit Form RDSS-P with a medical certificate from a government hospital. "
        "No stipend is paid during the pause, and you rejoin the next cohort at the month where "
        "you stopped."
    ),
    h2("Leaving the programme"),
    p(
        "A learner who leaves must tell her centre manager in writing. "
        "A learner who leaves in the first two months does not pay back the stipend she has "
        "received. "
        "A learner who leaves after the second month without a reason accepted by WDD must pay "
        "back the stipend of her last two months."
    ),
    h2("Payment problems"),
    p(
        "If a payment has not arrived 15 days after its due date, email "
        "rdss-payments@wdd.example.pk with your tracking code. "
        "The payments cell replies within 5 working days. "
        "Never share your wallet PIN or a one-time code with anyone, including people who say "
        "they are from WDD."
    ),
    h2("Other work while you learn"),
    li("You may keep a part-time job or a home business while you learn."),
    li("Your stipend is not reduced because of other income."),
    li("Work is never an accepted reason for missing classes beyond the leave allowed."),
]


def main() -> None:
    here = Path(__file__).resolve().parent
    build_pdf(APPLICANT_HANDBOOK, here / "rdss-applicant-handbook.pdf", author=AUTHOR)
    build_docx(STIPEND_AND_ATTENDANCE, here / "rdss-stipend-and-attendance.docx", author=AUTHOR)


if __name__ == "__main__":
    main()
