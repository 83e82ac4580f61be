"""A flow step as TwiML for a call: prompts said (or played) inside <Gather>, or before <Record>."""

from dataclasses import dataclass
from pathlib import Path

from twilio.twiml.voice_response import Gather, VoiceResponse

import flows
from db.settings import AUDIO_SUFFIXES, Settings
from flows import Prompt, Step, WaitKind

STEP = "/webhooks/twilio/voice/step"
RECORDING_CALLBACK = "/webhooks/twilio/voice/recording"
PROMPT_AUDIO = "/voice/prompts"
GATHER_TIMEOUT = 8  # seconds of silence before a <Gather> falls through to the no-input redirect
RECORD_MAX_SECONDS = 120


@dataclass(frozen=True)
class Voice:
    """How this deployment speaks: TTS voice and language per language, recorded prompts."""

    voices: dict[str, str]
    languages: dict[str, str]
    speech: bool = False
    prompts_dir: str = ""
    base_url: str = ""

    @classmethod
    def of(cls, settings: Settings) -> "Voice":
        """The voice settings of a deployment."""
        return cls(settings.voice_voices, settings.voice_languages, settings.voice_speech,
                   settings.voice_prompts_dir, settings.public_base_url)

    def recording(self, language: str, key: str) -> str | None:
        """The URL of a recorded prompt, when the prompts folder has one."""
        if not self.prompts_dir:
            return None
        for suffix in AUDIO_SUFFIXES:
            if (Path(self.prompts_dir) / language / (key + suffix)).is_file():
                return f"{self.base_url}{PROMPT_AUDIO}/{language}/{key}{suffix}"
        return None


def render(step: Step, hop: int, voice: Voice) -> str:
    """The TwiML for a step; its answer comes back to the step URL as hop `hop`."""
    response = VoiceResponse()
    action = f"{STEP}?n={hop}"
    wait = step.wait
    if step.state is None or wait is None:
        _speak(response, step.prompts, step.language, voice)
        response.hangup()
        return str(response)
    if wait.kind is WaitKind.RECORDING:
        _speak(response, step.prompts, step.language, voice)
        response.record(action=action, method="POST", max_length=RECORD_MAX_SECONDS,
                        finish_on_key="#", trim="trim-silence", play_beep=True, timeout=5,
                        recording_status_callback=voice.base_url + RECORDING_CALLBACK,
                        recording_status_callback_event="completed")
    else:
        gather = response.gather(**_gather(wait, action, step.language, voice))
        _speak(gather, step.prompts, step.language, voice)
    # <Gather> without input, or an empty <Record>, falls through to the next verb
    response.redirect(f"{action}&noinput=1", method="POST")
    return str(response)


def _gather(wait: flows.Wait, action: str, language: str, voice: Voice) -> dict:
    options = {"action": action, "method": "POST", "timeout": GATHER_TIMEOUT}
    if wait.kind is WaitKind.SPEECH:
        return {**options, "input": "speech", "speech_timeout": "auto",
                "language": voice.languages.get(language, "vi-VN")}
    if voice.speech:
        options.update(input="dtmf speech", speech_timeout="auto",
                       language=voice.languages.get(language, "vi-VN"))
    else:
        options["input"] = "dtmf"
    if wait.kind is WaitKind.CHOICE and wait.count and wait.count < 10:
        options["num_digits"] = 1
    else:
        options["finish_on_key"] = "#"
    return options


def _speak(target: VoiceResponse | Gather, prompts: tuple[Prompt, ...], language: str,
           voice: Voice) -> None:
    """<Say> each prompt with the language's voice, or <Play> its recording when there is one.

    A recorded prompt that carries numbers (a reference, a PIN) is followed by them said digit
    by digit, and played twice so they can be written down.
    """
    for prompt in prompts:
        lang = prompt.language or language
        say = {"voice": voice.voices.get(lang), "language": voice.languages.get(lang)}
        audio = voice.recording(lang, prompt.key)
        if audio is None:
            target.say(flows.render(prompt, lang, "voice"), **say)
            continue
        numbers = [v for v in prompt.params.values() if isinstance(v, str) and v.isdigit()]
        for _ in range(2 if numbers else 1):
            target.play(audio)
            for number in numbers:
                target.say(", ".join(number), **say)
