# Surveys: invitations, answering in the chat, opting out, HEC admins' upload and results.
survey-invitation =
    📋 <b>{ $title }</b>
    { $intro }

    Would you answer a few short questions? Your answers help { -programme-operator } improve the programme.
    (Type /surveys off if you prefer not to receive surveys.)
survey-start-button = ▶️ Start the survey
survey-continue-button = ▶️ Continue the survey
survey-reminder = A gentle reminder: <b>{ $title }</b> is still open. It only takes two minutes.
survey-reminder-started = You started <b>{ $title }</b>. Press Continue to pick up where you left off.
survey-progress = Question { $position } of { $total }
survey-back-button = ⬅️ Back
survey-skip-button = Skip ⏭
survey-done-button = ✅ Done
survey-choose-one = Choose one answer below.
survey-choose-many = Tick every answer that applies, then press Done.
survey-type-number = Type a number from { $min } to { $max } { $unit }.
survey-type-text = Type your answer (at most { $limit } characters).
survey-thanks = Thank you! Your answers have been saved. 🙏
survey-not-found = Sorry, I could not find that survey.
survey-not-invited = This survey was not sent to you, so I cannot record answers for it.
survey-not-started = Please press the Start button on the survey invitation first.
survey-already-answered = You have already answered this survey. Thank you! Each survey takes one response per person.
survey-closed = Sorry, this survey is closed and no longer takes answers.
survey-old-version = This button belongs to an older version of the survey, which has been replaced. Thank you for your time!
survey-stale-button = That button belongs to an earlier question. Here is the current one:
survey-use-buttons = Please answer this question with the buttons below.
survey-choose-at-least-one = Please tick at least one answer before pressing Done.
survey-text-empty = Please type your answer as text.
survey-text-too-long = That is a little long: please keep it under { $limit } characters.
survey-number-invalid = I could not read that as a number. Please type just the number, for example 25000.
survey-number-range = Please type a number from { $min } to { $max } { $unit }.
survey-required = This question cannot be skipped.
survey-invalid = That survey file has problems; please fix them and send it again.
surveys-off = You will not receive surveys any more. Type /surveys on to receive them again.
surveys-on = Surveys are on again. Thank you for helping { -programme-operator } improve the programme!
surveys-usage = Type /surveys off to stop receiving surveys, or /surveys on to receive them again.
survey-upload-prompt = Send me the survey as a YAML file (see docs/surveys.md for the format), or /cancel.
survey-upload-not-document = Please send the survey as a .yaml file attachment, or /cancel.
survey-upload-too-big = That file is too large for a survey definition.
survey-upload-problems = <b>The survey file has { $count } problem(s):</b>
survey-upload-preview = <b>Preview.</b> Check it, then save it or cancel:
survey-save-button = 💾 Save
survey-cancel-button = ✖️ Cancel
survey-saved = Saved survey <b>{ $slug }</b> version { $version }. Start it for everyone with /survey_send { $slug }, or for an audience with <code>hecbot survey send { $slug }</code> on the server.
survey-upload-cancelled = Nothing was saved.
survey-results-usage = Which survey? Send /results and its id:
survey-results-unknown = There is no survey <b>{ $slug }</b>. The surveys are:
survey-results-line = • <code>{ $slug }</code>: { $title } ({ $count } responses)
survey-results-none = No survey has been added yet (admins add one with /survey_upload).
survey-send-usage = Usage: /survey_send &lt;survey id&gt; starts the survey for everyone now. For an audience or follow-ups, use <code>hecbot survey send</code>.
survey-send-started = Survey <b>{ $slug }</b> started (wave { $wave }). Invitations go out within a few minutes, at most one survey a week per learner.
survey-send-already = Survey <b>{ $slug }</b> is already being sent: wave { $wave } started { $since }, and its invitations are going out (at most one survey a week per learner). No second wave was started.
survey-echo = ✓ <b>{ $answer }</b>
survey-echo-skipped = ⏭ <i>Skipped</i>
survey-scale-range = Please choose a number from { $min } to { $max }: type it or press its button.
survey-aside = That was a question for me, so I answered it above. You are still in <b>{ $title }</b>: answer the question below to go on, or type /cancel to pause (your answers so far are kept).
survey-paused = Survey paused. Your answers so far are saved: press Continue on the survey invitation whenever you want to pick up where you left off.
survey-open-until = ⏳ Open until { $until }.
survey-already-shown = The survey is open: its question is the last message below.
