# The programme as learners read it: the bundled sample's (HEC's Coursera licences). An operator
# running hecbot over a programme of their own sets PROGRAMME_NAME, PROGRAMME_OPERATOR,
# PROGRAMME_HELP_DESK, PROGRAMME_ABOUT and PROGRAMME_EXAMPLE_QUESTION (.env.example), which
# replace these terms and `example-question` (core.ftl) wherever they are used.
-programme-name = HEC × Coursera
-programme-operator = HEC
-help-desk = the HEC desk
-programme-about = I answer questions about the programme's free Coursera licences: who is eligible, how to apply, deadlines, certificates, and what to do when you are stuck.
# The terms as messages, for texts written outside the catalogue (a chart's title, a terminal
# report).
programme-name = { -programme-name }
programme-help-desk = { -help-desk }
