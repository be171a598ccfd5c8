# People: onboarding, roles, tickets, FAQ, insights, learners' rights. Same keys in ur/people.ftl.

## Onboarding
privacy-notice =
    <b>Welcome to the { -programme-name } assistant!</b>

    <b>Privacy first.</b> Before you accept, I keep nothing about you except your Telegram id.
    If you accept, I store: your language, whether you are a student, faculty member or alumnus, your university, and the questions you ask me with my answers. { -programme-operator } uses the questions, without names, to improve the programme's rules and help pages. Your phone number and name are never stored.
    Your focal person sees a question only if you choose to send it to them.
    You can see everything stored about you with /mydata and delete it with /forget at any time. /privacy shows this notice again.
privacy-notice-again =
    <b>Privacy notice</b>
    I store your language, whether you are a student, faculty member or alumnus, your university, and your questions with my answers. { -programme-operator } uses the questions, without names, to improve the programme. Your phone number and name are never stored. A question reaches your focal person only when you send it to them.
    /mydata sends you everything stored about you; /forget deletes it.
onboarding-privacy-accept = ✅ I agree, continue
onboarding-language = Choose your language / اپنی زبان منتخب کریں:
onboarding-kind = Which of these describes you?
kind-student = Student
kind-faculty = Faculty member
kind-alumni = Alumnus / alumna
onboarding-university = Type part of your university's name, for example <i>COMSATS</i> or <i>Punjab</i>.
onboarding-university-pick = Which one is yours?
onboarding-university-none = ✏️ None of these, let me type again
onboarding-university-not-found = I could not find a university by that name. Please type another part of its name, or its short name (for example <i>UCP</i>).
onboarding-university-again = Please type your university's name again.
onboarding-done =
    All set: { $university }.
    { $example ->
        [none] Ask me anything about the programme.
       *[other] Ask me anything about the programme, for example: <i>{ $example }</i>
    }
onboarding-done-staff = All set. Learners' questions reach you here as tickets: reply to a ticket to answer it, or send /tickets to see the open ones. /help lists all your commands.
onboarding-welcome-back = Welcome back! Ask me anything about the programme, or type /help.
onboarding-finish-first = Let's finish setting up first; it takes a few seconds.
invite-accepted = You are now the focal person of <b>{ $university }</b>. What happens next: accept the privacy notice below; then learners' questions from your university reach you here as tickets. Reply to a ticket to answer it (or use /tickets); /broadcast sends a notice to your learners and /insights shows what they ask.
invite-invalid = This invite link is not valid: it may have been used already or expired. Please ask { -programme-operator } for a new one.
help-staff = <b>Your tools</b> (to answer a learner's question, reply to its 🎫 message):

## Tickets
ticket-button-escalate = 🙋 Ask my focal person
ticket-button-answer = ✍️ Answer
ticket-button-not-mine = ↪️ Not mine (to { -help-desk })
ticket-button-add-faq = 📚 Add to knowledge base
ticket-new =
    🎫 #{ $id } · { $university }
    <b>A learner's question</b> ({ $kind }):
    { $question }
ticket-no-university = no university given
ticket-attempt =
    <b>The bot answered:</b>
    <i>{ $attempt }</i>
ticket-no-attempt = <i>The bot could not answer this from the programme rules.</i>
ticket-desk-no-focal-person = ℹ️ Sent to { -help-desk }: this university has no reachable focal person.
ticket-desk-passed-on = ℹ️ The focal person passed this question to { -help-desk }.
ticket-desk-overdue = ⏰ Sent to { -help-desk }: unanswered for 48 hours.
ticket-how-to-answer = Reply to this message with your answer, or press Answer.
ticket-from-focal = your focal person
ticket-from-desk = { -help-desk }
ticket-answer-for-learner =
    <b>An answer from { $who }</b>
    You asked: <i>{ $question }</i>

    { $answer }

    Did this help?
ticket-already-sent = This question has already been sent.
ticket-sent-focal = Sent to your university's focal person (ticket #{ $id }). Their answer will arrive here.
ticket-sent-desk = Sent to { -help-desk } (ticket #{ $id }). The answer will arrive here.
ticket-sent-nobody = Your question is saved as ticket #{ $id }, but nobody can answer it yet: your university has no focal person on the bot and { -help-desk } has no one signed in. You will get the answer here once someone can reply.
ticket-already-answered = This question has already been answered.
ticket-type-answer = Type your answer to ticket #{ $id }. It goes to the learner as it is. /cancel to stop.
ticket-passed = Ticket #{ $id } was passed to { -help-desk }.
ticket-answer-sent = Your answer to ticket #{ $id } was sent to the learner. Should the bot give this answer next time?
ticket-answer-kept-blocked = Ticket #{ $id } is answered, but the learner has blocked the bot, so your answer could not be sent to them. Should the bot give this answer next time?
tickets-header = <b>Open questions ({ $count }), oldest first</b>
tickets-line =
    🎫 #{ $id } · { $date } · { $university } · { $route }
    { $question }
tickets-route-focal = focal person
tickets-route-desk = { -help-desk }
tickets-none = There are no open questions. 🎉
tickets-answer-button = Answer #{ $id }

## FAQ entries
faq-added = Sent to { -programme-operator } for review as FAQ draft #{ $id }. The bot will use it once an admin of { -programme-operator } approves it.
faq-button-approve = ✅ Approve
faq-button-edit = ✏️ Edit
faq-button-reject = 🗑 Reject
faq-button-scope-national = 🌐 All universities
faq-button-scope-local = 🏛 Only its university
faq-drafts-header = { $count ->
    [0] No FAQ drafts are waiting for review.
    [one] One FAQ draft is waiting for review:
   *[other] { $count } FAQ drafts are waiting for review:
}
faq-draft = draft
faq-national = all universities
faq-approved = FAQ entry #{ $id } approved: the bot uses it from now on.
faq-rejected = FAQ draft #{ $id } rejected; the bot will not use it.
faq-scope-set = FAQ entry #{ $id } now answers: { $university }
faq-edit-prompt = Send the question as it should be published on the first line, and the answer below it (send only one line to keep the answer). /cancel keeps the entry as it is.
faq-edited = FAQ entry #{ $id } updated.
faq-none = There are no published FAQ entries from answered questions yet.
faq-button-reviewed = ✔️ Reviewed
faq-button-remove = 🗑 Remove
faq-entry =
    <b>FAQ entry #{ $id }</b> · { $university } · { $date } · { $reviewed }
    <b>Q:</b> { $question }
    <b>A:</b> { $answer }
faq-reviewed = reviewed
faq-not-reviewed = not reviewed yet
faq-marked-reviewed = FAQ entry #{ $id } marked as reviewed.
faq-removed = FAQ entry #{ $id } was removed; the bot no longer uses it.

## Focal persons (HEC admins)
invite-usage = Usage: /invite_focal <i>university name</i>, for example /invite_focal COMSATS
invite-pick-university = For which university?
invite-created =
    Invite for the focal person of <b>{ $university }</b>:
    { $link }
    It works once and expires on { $expires }. Send it only to that person.
focals-none = There are no focal persons yet. Invite one with /invite_focal.
focals-header = <b>Focal persons ({ $count })</b>
focals-line = { $university } · user { $user_id } { $blocked }
focals-blocked = (has blocked the bot)
focals-button-revoke = Revoke
focals-button-reassign = Move to another university
focals-revoked = User { $user_id } is no longer a focal person.
focals-type-university = Type part of the new university's name.
focals-reassigned = User { $user_id } is now the focal person of { $university }.

## Learners' rights
mydata-caption = Everything stored about you, as a JSON file.
forget-confirm = Delete everything stored about you? Your questions stay only as anonymous counts in { -programme-operator }'s statistics. This cannot be undone.
forget-button-yes = Yes, delete my data
forget-button-no = No, keep it
forget-kept = Nothing was deleted.
forget-done = Your personal data was deleted. Only anonymous counts remain in { -programme-operator }'s statistics. Send /start if you want to use the bot again.

## Insights
insights-all-universities = all universities
insights-title = <b>Insights: { $scope }</b>
insights-since = Since { $date }
insights-date-format = I could not read that date. Write it as year-month-day (YYYY-MM-DD), for example /insights 2026-11-01 for the questions since that day, followed by a university's name if you like.
insights-summary = Questions: { $total } (answered { $answered }, not answered { $unanswered })
insights-feedback = Feedback: 👍 { $up } · 👎 { $down } (helpful { $rate })
insights-tickets = Questions sent to people: { $tickets } (answered { $answered }, to { -help-desk } { $desk }, median answer time { $median } h)
insights-per-university = <b>Questions per university</b>
insights-topics = <b>Main topics</b>
insights-gaps = <b>Questions the bot could not answer</b>
insights-none = (none)
insights-row = { $count } × { $label }
insights-chart-caption = Questions per day and the main topics.
