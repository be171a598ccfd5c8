# Foundation strings: welcome, help, answers, errors. Keys exist in every language.
start-welcome =
    <b>Welcome to the { -programme-name } assistant!</b>
    { -programme-about }
    Every answer cites the programme rule it comes from.

    Choose your language:
# The example question the bot offers; shown only while the knowledge base answers it (over
# another body's rules it would be declined), otherwise $example is "none". An operator sets
# their own with PROGRAMME_EXAMPLE_QUESTION (programme.ftl).
example-question = How do I get a Coursera licence?
start-language-set = Language set to English. { $example ->
        [none] Ask me anything about the programme.
       *[other] Ask me anything about the programme, for example: <i>{ $example }</i>
    }
language-choose = Choose your language:
help-body =
    <b>How to use this bot</b>
    • Just type your question, in English, Urdu or Roman Urdu.
    • Each answer names the rule it comes from. Press 👍 or 👎 to tell us if it helped.
answer-sources = Sources:
answer-abstained =
    I don't know the answer to that from the programme rules, and I'd rather not guess.
    You can ask your university's focal person or { -help-desk }.
answer-feedback-yes = 👍 Helpful
answer-feedback-no = 👎 Not helpful
answer-choose =
    Do you mean:
    (a) { $first }
    (b) { $second }?
answer-choice-a = (a) { $section }
answer-choice-b = (b) { $section }
answer-show-rule = 📖 Show the full rule
# The first line of each message after the first of a full rule too long for one.
answer-rule-continued = { $rule } (continued)
answer-translation-of = Urdu version: { $title } › { $section }
answer-translation-of-section = Urdu version: { $section }
answer-rule-unavailable = That rule is no longer in the knowledge base. Please ask your question again.
answer-feedback-thanks = Thank you for your feedback!
question-empty = Please type your question as text.
question-too-long = That message is too long for one question ({ $limit } characters at most). Please ask one short question at a time.
throttled = You are sending messages very quickly, so I skipped the last ones. Please wait a moment, then send again anything I did not answer.
throttled-press = Too many presses at once: this one was not taken. Please wait a moment and press again.
unknown-command = I don't know that command. Type /help to see what I can do, or simply type your question.
unsupported-content = I can only read text messages for now. Please type your question.
unsupported-content-in-step = I can only read text here. Please type your answer as a message, or send /cancel to stop.
upload-not-utf8 = That file is not UTF-8 text (Windows Notepad's "Unicode" is UTF-16, for example). Save it as UTF-8 and send it again, or /cancel.
cancelled = Cancelled. Ask me anything whenever you like.
nothing-to-cancel = There is nothing to cancel.
error-generic = Sorry, something went wrong on our side. Please try again in a moment.
error-not-allowed = Sorry, you are not allowed to do that.
error-not-found = Sorry, I could not find that. It may have been removed or expired.
error-invalid-input = Sorry, I could not understand that input.
error-text-empty = That is empty. Please type the text and send it again.
error-text-too-long = That is too long: { $length } characters, and at most { $limit } fit. Please shorten it and send it again.
error-unavailable = The service is busy or restarting. Please try again shortly; nothing you sent is lost.
button-expired = This button is no longer active: its step is finished or was stopped. To start it again, send its command again (for example /apply); /help lists them.
onboarding-expired = That step has expired (the bot lost where you were). Let's start again from the first step.
no-longer-available = This is no longer available.
# How dates and times are written (CLDR patterns: https://babel.pocoo.org/en/latest/dates.html).
# Every time shown is Pakistan time; the names of months and days come from the language's CLDR data.
format-moment = EEE d MMM y, HH:mm 'PKT'
format-day = d MMM y
