# Choosing courses: /courses, /myplan and course questions in the chat.
courses-ask-goal =
    <b>What do you want to learn or become?</b>
    Tell me in your own words, for example: <i>I want to become a data analyst</i> or <i>mujhe cloud seekhna hai</i>.
courses-goal-unclear =
    I couldn't tell what you want to learn from that. Please name a skill or a job, for example: <i>data analysis</i>, <i>web development for freelancing</i>, <i>digital marketing</i>.
    (Type /cancel to stop.)
courses-goal-text-only = Please type your goal as a text message.
courses-ask-level = What is your level in this area?
courses-ask-hours = How many hours a week can you study?
courses-level-beginner = Beginner
courses-level-intermediate = Intermediate
courses-level-advanced = Advanced
courses-level-mixed = All levels
courses-hours-2 = Up to 2 h
courses-hours-5 = 3–5 h
courses-hours-10 = 6–10 h
courses-hours-15 = More than 10 h
courses-result-header = <b>Your learning path</b> (take them in this order):
courses-result-track = Based on { -programme-operator }'s track <b>{ $track }</b>.
courses-item-title = <b>{ $number }. { $title }</b>
courses-item-facts = { $partner } · { $level } · { $duration } · { $rating }
courses-item-no-rating = not rated yet
courses-item-why = Why: { $skills }
courses-item-pace = About { $weeks } weeks at { $hours } h a week
courses-item-link = <a href="{ $url }">Open on Coursera</a>
courses-kind-course = course
courses-kind-specialization = specialization
courses-kind-professional_certificate = professional certificate
courses-kind-guided_project = guided project
courses-no-fit =
    Sorry, no course in our catalogue fits that goal well.
    The closest { -programme-operator } tracks are: { $tracks }. Send /courses to try another goal.
courses-no-fit-no-tracks = Sorry, no course in our catalogue fits that goal well. Send /courses to try another goal.
courses-button-more = 🔁 More like this
courses-button-basics = 🌱 Start from basics
courses-button-save = 💾 Save to my plan
courses-saved = Saved { $count } course(s) to your plan. See it with /myplan.
courses-saved-none = These courses are already in your plan. See it with /myplan.
courses-chat-hint = To fit the path to your level and time, send /courses.
courses-plan-empty = Your plan is empty. Send /courses to find courses and save them.
courses-plan-header = <b>My plan</b>
courses-plan-item = { $mark } { $title } ({ $level })
courses-plan-done-button = ✅ Done: { $title }
courses-plan-marked = Marked done. Well done! 🎉
courses-preparing = One moment, I'm looking through the catalogue…
courses-item-why-track = Why: course { $position } of { -programme-operator }'s { $track } track
courses-item-why-foundation = Why: the foundation the next courses build on ({ $skills })
courses-item-why-related = Why: about { $skills }, as your goal asks
courses-item-why-goal = Why: it matches the words of your goal
courses-item-part-of = Part of: { $group }
courses-result-time = In all about { $weeks } weeks at { $hours } h a week; your licence leaves about { $available } weeks.
courses-result-trimmed = A fuller path would not fit your licence, so this one keeps to what does.
courses-result-too-long =
    This goal does not fit your licence at your hours: even the shortest useful start above takes about { $weeks } weeks, and your licence leaves about { $available }. More hours a week would help.
tracks-upload-prompt = These are { -programme-operator }'s tracks now. Send the edited file back (a .yaml document), or /cancel.
tracks-upload-cancelled = Tracks unchanged.
tracks-upload-not-document = Please send the tracks as a UTF-8 .yaml file (at most 256 KB).
tracks-upload-problems = The tracks were not changed: { $count } problem(s) to fix.
tracks-upload-done = Saved { $count } tracks. Learners get them from their next question, no restart needed.
catalogue-upload-prompt =
    Send the course catalogue as a .csv document (at most 10 MB), or /cancel.
    It must use the default Coursera layout: columns course_title, course_url, course_organization, course_certificate_type, course_difficulty, course_time, course_rating, course_skills, course_summary. (Other layouts need <code>hecbot courses import --mapping</code> on the server.)
    Courses are matched by URL: new ones are added, known ones updated; courses missing from the file stay. If any row has a problem, nothing is imported.
catalogue-upload-cancelled = Catalogue unchanged.
catalogue-upload-not-csv = Please send the catalogue as a .csv document in the Coursera layout.
catalogue-upload-not-utf8 = The catalogue was not changed: that file is not UTF-8 text. Save it as UTF-8 (in Excel: Save As, "CSV UTF-8 (Comma delimited)") and send it again, or /cancel.
catalogue-upload-too-big = That file is too big: the limit here is { $megabytes } MB. Import larger catalogues with <code>hecbot courses import</code> on the server.
catalogue-upload-started = Checking and importing the catalogue… New courses are indexed for the recommender, which can take a few minutes for a large file. I will tell you when it is done.
catalogue-upload-problems = The catalogue was not changed: { $count } row(s) to fix (line numbers of the file). Fix them and send the whole file again.
catalogue-upload-more-problems = … and { $count } more.
catalogue-upload-file-problem = The catalogue was not changed: { $problem }
catalogue-upload-done = Catalogue imported: { $added } course(s) added, { $updated } changed, { $unchanged } unchanged, none removed (courses missing from the file stay, as learners' plans may hold them); { $embedded } indexed for the recommender. Learners get it from their next question, no restart needed.
