from dost_feedback.cli import app

app(prog_name="dost-feedback")
