# /broadcast, /broadcasts, /webinars and the webinar notice buttons.
broadcast-audience-choose = <b>New notice.</b> Who should receive it?
broadcast-audience-everyone = Everyone
broadcast-audience-university = One university
broadcast-audience-city = A city
broadcast-audience-role = A role
broadcast-audience-university-ask = Type part of the university's name (for example COMSATS or Punjab), or its number.
broadcast-audience-university-pick = Which university?
broadcast-audience-city-ask = Send the city's name, for example <i>Lahore</i>.
broadcast-audience-role-ask = Which role?
broadcast-role-learner = Learners
broadcast-role-focal_person = Focal persons
broadcast-role-admin = { -programme-operator } staff
broadcast-text-ask = Send the notice text. Bold, italics and links are kept as you format them. /cancel stops.
broadcast-text-shorter-ask = Send the shorter notice text. The file, the webinar and the Urdu version you sent are kept.
broadcast-attachment-ask = Add an image or a PDF? Send it now, or press Skip.
broadcast-skip = Skip
broadcast-webinar-ask = Is this a webinar announcement?
broadcast-yes = Yes
broadcast-no = No
broadcast-webinar-title-ask = The webinar's title?
broadcast-webinar-start-ask = When does it start, in Pakistan time? For example <code>{ $example }</code>.
broadcast-webinar-duration-ask = How long is it, in minutes?
broadcast-webinar-link-ask = The join link (https://…)?
broadcast-urdu-ask = Send the Urdu version of the notice, or press Skip to send English to everyone.
broadcast-preview-intro = <b>Preview</b>: learners will see exactly the message(s) above.
broadcast-preview-summary =
    Audience: { $audience }
    Recipients: <b>{ $count }</b>
broadcast-send-now = ✅ Send now
broadcast-schedule = 🕒 Schedule
broadcast-cancel = ✖️ Cancel
broadcast-schedule-ask = When should it go out, in Pakistan time? For example <code>{ $example }</code>.
broadcast-queued = Queued for <b>{ $count }</b> recipients. This message will show the progress.
broadcast-scheduled = Scheduled for { $time } to <b>{ $count }</b> recipients. You can cancel it until then.
broadcast-cancelled = The broadcast was cancelled.
broadcast-discarded = Discarded. Nothing was sent.
broadcast-send-text = Please send the notice as a text message.
broadcast-attachment-wrong = Please send an image or a PDF file, or press Skip.
broadcast-audience-everyone-label = everyone
broadcast-list-empty = No broadcasts yet.
broadcast-list-item = #{ $id } · { $state } · { $sent }/{ $total } sent · { $preview }
broadcast-list-scheduled = {"   "}🕒 goes out { $time }
broadcast-webinar-block =
    <b>📅 { $title }</b>
    🕒 { $start } · { $duration } min
    🔗 { $link }
broadcast-button-attend = ✋ I'll attend
broadcast-button-calendar = 📆 Add to calendar
broadcast-rsvp-thanks = Thank you! We will remind you 24 hours and 1 hour before it starts.
broadcast-rsvp-thanks-1h = Thank you! We will remind you 1 hour before it starts.
broadcast-rsvp-thanks-soon = Thank you! It starts soon: the join link is in the notice above.
broadcast-rsvp-already = You have already said you will attend.
broadcast-reminder-24h =
    ⏰ <b>Tomorrow:</b> { $title }
    Starts { $start }.
    Join: { $link }
broadcast-reminder-1h =
    ⏰ <b>In one hour:</b> { $title }
    Starts { $start }.
    Join: { $link }
webinars-empty = No upcoming webinars.
webinars-item =
    <b>{ $title }</b>
    { $start } · RSVPs: <b>{ $rsvps }</b>
broadcast-error-empty = The notice is empty. Please send some text.
broadcast-error-too-long = The notice comes to { $length } characters with everything added to it, and one message holds { $limit } at most. Please shorten it.
broadcast-error-caption-too-long = With an image or PDF the notice is a caption: it comes to { $length } characters, and a caption holds { $limit } at most. Please shorten it.
broadcast-error-start-past = That time has already passed. Please give a time in the future (Pakistan time).
broadcast-error-start-format = I could not read that time. Please write it like <code>YYYY-MM-DD HH:MM</code> (Pakistan time).
broadcast-error-link = That is not a valid join link. Please send a full https:// address.
broadcast-error-duration = Please send the duration as a number of minutes, between 5 and 720.
broadcast-error-title = Please send a title of at most 200 characters.
broadcast-error-attachment = The attached file cannot be used. Please send an image or a PDF.
broadcast-error-audience = I could not understand that audience.
broadcast-no-recipients = Nobody would receive this notice: { $audience } has no learner on the bot yet (recipients are counted when it is sent). Cancel it, and send it when learners have joined.
broadcast-error-no-recipients = Nobody would receive this notice: the audience has no learner on the bot yet.
broadcast-error-university = I could not find a university by that name or number. Please type another part of its name, or its short name (for example UCP).
broadcast-error-city-unknown = I do not know universities in that city yet.
broadcast-error-not-cancellable = This broadcast has already started or finished; it cannot be cancelled.
broadcast-error-schedule-after-start = The notice must go out before the webinar starts.
broadcast-error-webinar-over = This webinar is already over.
webinars-by-university = By university: { $counts }
broadcast-preview-cost = Time to send: about { $free_time } at the usual rate; { $paid_time } as an urgent paid broadcast ({ $stars } Telegram Stars).
broadcast-send-paid = ⚡ Urgent: send now, paid ({ $stars } ⭐)
